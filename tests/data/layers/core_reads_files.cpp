// A core file that reads a file itself: the layer check must refuse it.
#include <fstream>
