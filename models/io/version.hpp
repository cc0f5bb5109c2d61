#pragma once
// Which build of capsim produced a result: recorded in every JSON output.

namespace capsim::models {

/// capsim's version ("0.1.0") and the git revision it was built from: 12 hex digits, with
/// "-dirty" if tracked files differed from that commit, or "unknown" outside a git checkout.
const char* version();
const char* git_revision();

}  // namespace capsim::models
