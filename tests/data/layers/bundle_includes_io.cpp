// A bundle-format file that reaches for files (io) or the jobs (app): the layer check must
// refuse it. The formats are pure; reading and writing bundles is app's.
#include "bundle/format.hpp"
#include "io/zip_reader.hpp"
