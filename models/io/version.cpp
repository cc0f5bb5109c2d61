#include "models/io/version.hpp"

namespace capsim::models {

const char* version() {
  return CAPSIM_VERSION;
}
// git_revision() is generated at build time (cmake/git_revision.cmake).

}  // namespace capsim::models
