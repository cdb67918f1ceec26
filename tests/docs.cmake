# docs/profiles.md shows the rules exactly as the profiles define them (as one contiguous block).
foreach(profile omm-eerste-fase omm-tweede-fase)
  add_test(NAME docs.profiles_${profile}
           COMMAND bash -c "out=$('$<TARGET_FILE:dossier>' rules --format markdown --lang en --profile ${profile}) || exit 1; doc=$(cat '${PROJECT_SOURCE_DIR}/docs/profiles.md'); [[ \"$doc\" == *\"$out\"* ]] || { echo 'docs/profiles.md is out of date: regenerate with dossier rules --format markdown --lang en --profile ${profile}'; exit 1; }")
  set_tests_properties(docs.profiles_${profile} PROPERTIES ENVIRONMENT "DOSSIER_DATA_DIR=${PROJECT_SOURCE_DIR}")
endforeach()
