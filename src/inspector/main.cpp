// dossier-pdf-inspector: the sandboxed PDF helper. inspect_pdf (src/io/pdf_inspect.hpp) starts
// it once per document; assemble_pdf (src/io/pdf_assemble.hpp) once per dossier PDF. See
// docs/pdf-inspection.md, "The parser process", and docs/assembly.md.
#include <string_view>

#include "io/pdf_assemble.hpp"
#include "io/pdf_inspect.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == dossier::io::kAssemblerFlag)
    return dossier::io::run_pdf_assembler(argc, argv);
  return dossier::io::run_pdf_inspector(argc, argv);
}
