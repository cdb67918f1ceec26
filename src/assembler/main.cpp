// dossier-pdf-assembler: the sandboxed helper that copies the documents' pages into dossier.pdf.
// assemble_pdf (src/io/pdf_assemble.hpp) starts it once per dossier PDF; it links only qpdf,
// Poppler and cairo (docs/assembly.md, "The helper").
#include "io/pdf_assemble.hpp"

int main(int argc, char** argv) { return dossier::io::run_pdf_assembler(argc, argv); }
