// dossier-pdf-inspector: the sandboxed PDF parser. inspect_pdf (src/io/pdf_inspect.hpp) starts it
// once per document. See docs/pdf-inspection.md, "The parser process".
#include "io/pdf_inspect.hpp"

int main(int argc, char** argv) { return dossier::io::run_pdf_inspector(argc, argv); }
