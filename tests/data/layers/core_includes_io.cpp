// A core file that reaches for io: the layer check must refuse it.
#include "core/model.hpp"
#include "io/package.hpp"
