// A program run as a child process by a test, with its output in files; killed at scope exit.
// SPDX-License-Identifier: MIT
#pragma once

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace sage::test {

/// The whole content of a file; empty when it does not exist.
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The lines of `text` that end in a newline; a last line without one (a write cut short by a
/// kill) is left out.
inline std::vector<std::string> complete_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

/// `program` with `args` started as a child process, stdin from /dev/null (or, with
/// `pipe_stdin`, from a pipe fed by `write_stdin`), stdout and stderr into `out_dir`/`name`.out
/// and .err, the caller's environment and default signal handling.
/// Killed with SIGKILL and reaped at scope exit if still running, so a hanging child fails its
/// test instead of blocking the suite.
class child_process {
public:
  /// `working_dir` empty: the caller's; `env` unset: the caller's environment.
  child_process(const std::filesystem::path& program, std::vector<std::string> args,
                const std::filesystem::path& out_dir, const std::string& name,
                const std::filesystem::path& working_dir = {},
                std::optional<std::vector<std::string>> env = std::nullopt, bool pipe_stdin = false)
      : out_(out_dir / (name + ".out")), err_(out_dir / (name + ".err")) {
    int in_pipe[2] = {-1, -1};
    if (pipe_stdin) {
      BOOST_REQUIRE_MESSAGE(::pipe2(in_pipe, O_CLOEXEC) == 0,
                            "pipe failed: " << std::strerror(errno));
      // A child that exits while the test still writes must fail the write (EPIPE), not kill
      // the test runner.
      ::signal(SIGPIPE, SIG_IGN);
    }
    args.insert(args.begin(), program.string());
    auto argv = c_strings(args);
    std::vector<char*> envp;
    if (env) envp = c_strings(*env);
    auto out = out_.string(), err = err_.string(), dir = working_dir.string();

    pid_ = ::fork();
    if (pid_ == 0) { // the child: only async-signal-safe calls until exec
      int in_fd = pipe_stdin ? in_pipe[0] : ::open("/dev/null", O_RDONLY);
      int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in_fd < 0 || out_fd < 0 || err_fd < 0) ::_exit(127);
      if (!dir.empty() && ::chdir(dir.c_str()) != 0) ::_exit(127);
      ::dup2(in_fd, 0);
      ::dup2(out_fd, 1);
      ::dup2(err_fd, 2);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::signal(SIGINT, SIG_DFL);
      ::signal(SIGTERM, SIG_DFL);
      if (env)
        ::execve(argv[0], argv.data(), envp.data());
      else
        ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    if (pipe_stdin) {
      ::close(in_pipe[0]);
      stdin_ = in_pipe[1];
    }
    BOOST_REQUIRE_MESSAGE(pid_ > 0, "fork failed: " << std::strerror(errno));
  }

  ~child_process() {
    close_stdin();
    if (running()) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  std::string out() const { return slurp(out_); }
  std::string err() const { return slurp(err_); }

  /// The complete lines written to stdout so far.
  std::vector<std::string> out_lines() const { return complete_lines(out()); }

  void signal(int sig) const { BOOST_REQUIRE_EQUAL(::kill(pid_, sig), 0); }

  /// The child's process id (for /proc/<pid>/…).
  pid_t pid() const { return pid_; }

  /// Writes all of `data` to the child's stdin (started with `pipe_stdin`); false when the
  /// pipe is closed or the child stopped reading for good (EPIPE).
  bool write_stdin(std::string_view data) {
    while (!data.empty()) {
      if (stdin_ < 0) return false;
      auto n = ::write(stdin_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  /// Closes the child's stdin: it reads end of input.
  void close_stdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }

  /// Polls until `done()` holds, the process ends or `limit` passes; returns `done()` then.
  template <class Done> bool wait_until(Done done, std::chrono::steady_clock::duration limit) {
    auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (done()) return true;
      if (!running() || std::chrono::steady_clock::now() > until) return done();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  /// True once stdout holds at least one complete line, or false when the process ended or
  /// `limit` passed first.
  bool wait_for_first_line(std::chrono::steady_clock::duration limit) {
    return wait_until([&] { return out().find('\n') != std::string::npos; }, limit);
  }

  /// The exit code (128 + the signal when killed by one), or nothing if still running after
  /// `limit`.
  std::optional<int> wait(std::chrono::steady_clock::duration limit) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (running() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (running()) return std::nullopt;
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  }

  /// Sends SIGKILL and returns the exit code (128 + 9 unless it had already ended).
  int kill() {
    if (running()) ::kill(pid_, SIGKILL);
    auto code = wait(std::chrono::seconds(10));
    BOOST_REQUIRE_MESSAGE(code.has_value(), "process did not end after SIGKILL, pid=" << pid_);
    return *code;
  }

private:
  static std::vector<char*> c_strings(std::vector<std::string>& v) {
    std::vector<char*> out;
    for (auto& x : v)
      out.push_back(x.data());
    out.push_back(nullptr);
    return out;
  }

  bool running() {
    if (reaped_) return false;
    if (::waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
    return !reaped_;
  }

  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
  int stdin_ = -1; ///< write end of the child's stdin, with `pipe_stdin`
  int status_ = 0;
  bool reaped_ = false;
};

} // namespace sage::test
