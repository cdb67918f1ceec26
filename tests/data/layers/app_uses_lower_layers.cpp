// An app file that uses the layers below it: allowed.
#include "core/model.hpp"
#include "crypto/age.hpp"
#include "io/package.hpp"
#include <fstream>
