#include "models/io/output_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace capsim::models {

std::string dump_document(const Json& document) {
  return document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

namespace {

[[noreturn]] void fail_existing(const std::string& path) {
  throw OutputError(fmt::format(
      "{}: found an existing file, expected a new path (pass --force to overwrite it)", path));
}

}  // namespace

void check_output_path(const std::string& path, Existing existing) {
  const std::filesystem::path target(path);
  std::error_code error;
  const auto status = std::filesystem::symlink_status(target, error);
  if (existing == Existing::keep && std::filesystem::exists(status)) fail_existing(path);
  const std::filesystem::path directory =
      target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  if (!std::filesystem::is_directory(directory, error)) {
    throw OutputError(fmt::format("{}: cannot write: no directory {}", path, directory.string()));
  }
}

void write_file_atomically(const std::string& path, const std::string& text, Existing existing) {
  const std::filesystem::path target(path);
  // Hidden, in the same directory so the rename is atomic, and created exclusively under a name
  // no other writer (process or thread) uses.
  static std::atomic<unsigned> counter{0};
  std::filesystem::path temporary;
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
    temporary = target.parent_path() /
                fmt::format(".{}.tmp{}.{}", target.filename().string(), getpid(), counter++);
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  auto fail = [&](const char* what) {
    const std::string reason = std::strerror(errno);
    std::error_code ignored;
    if (fd >= 0) std::filesystem::remove(temporary, ignored);
    throw OutputError(fmt::format("{}: cannot {}: {}", path, what, reason));
  };
  if (fd < 0) {
    const std::string reason = std::strerror(errno);
    throw OutputError(
        fmt::format("{}: cannot create a temporary file beside it: {}", path, reason));
  }
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      ::close(fd);
      errno = saved;
      fail("write");  // ENOSPC (disk full), EFBIG (file size limit), EIO ...
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    fail("flush");
  }
  if (::close(fd) != 0) fail("close");
  if (existing == Existing::replace) {
    if (std::rename(temporary.c_str(), target.c_str()) != 0)
      fail("rename the temporary file to it");
    return;
  }
  // Keep: the rename must not replace a file created since check_output_path.
  if (::renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) {
    return;
  }
  if (errno == EINVAL || errno == ENOSYS) {
    // A file system without RENAME_NOREPLACE: link() fails just the same if the name is taken.
    if (::link(temporary.c_str(), target.c_str()) == 0) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      return;
    }
  }
  if (errno == EEXIST) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    fail_existing(path);
  }
  fail("rename the temporary file to it");
}

}  // namespace capsim::models
