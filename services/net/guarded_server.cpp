// The connection loop and socket stream of the guarded server.
// SPDX-License-Identifier: MIT
#include "services/net/guarded_server.hpp"

#include "services/net/host_check.hpp"
#include "services/net/request_head.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sage::services::net {
namespace {

using clock_type = std::chrono::steady_clock;

/// How often an idle connection looks whether another one waits for its thread.
constexpr auto idle_check = std::chrono::milliseconds(50);

/// httplib's thread pool, counting the connections accepted but not yet picked up.
class counting_queue : public httplib::TaskQueue {
public:
  counting_queue(std::size_t threads, std::atomic<std::size_t>& waiting)
      : pool_(threads), waiting_(waiting) {}

  void enqueue(std::function<void()> fn) override {
    ++waiting_;
    pool_.enqueue([this, fn = std::move(fn)] {
      --waiting_;
      fn();
    });
  }

  void shutdown() override { pool_.shutdown(); }

private:
  httplib::ThreadPool pool_;
  std::atomic<std::size_t>& waiting_;
};

std::string address_of(const sockaddr_storage& a, int* port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(a);
    inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    if (port) *port = ntohs(v4.sin_port);
  } else if (a.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(a);
    inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    if (port) *port = ntohs(v6.sin6_port);
  }
  return text;
}

std::string peer_address(int sock, int* port = nullptr) {
  sockaddr_storage a{};
  socklen_t size = sizeof a;
  if (getpeername(sock, reinterpret_cast<sockaddr*>(&a), &size) != 0) return {};
  return address_of(a, port);
}

std::string local_address(int sock, int* port = nullptr) {
  sockaddr_storage a{};
  socklen_t size = sizeof a;
  if (getsockname(sock, reinterpret_cast<sockaddr*>(&a), &size) != 0) return {};
  return address_of(a, port);
}

int millis_until(clock_type::time_point t) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t - clock_type::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

/// The headers httplib adds itself; kept when the sent ones replace its decoded copies.
bool added_by_httplib(const std::string& name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
         name == "LOCAL_PORT";
}

} // namespace

/// One client connection while a worker serves it.
struct guarded_server::connection {
  int sock = -1;
  std::string peer;
  /// Reads fail after this (the current phase's deadline).
  clock_type::time_point deadline = clock_type::time_point::max();
  /// While the head is read: the bytes httplib consumed (it reads the head a byte at a time).
  bool recording = false;
  std::string head;
  bool head_too_long = false;
  std::optional<head_problem> problem;
  bool close_after = false;
};

namespace {
thread_local guarded_server::connection* current_connection = nullptr;
} // namespace

/// The socket stream of one connection: httplib's own does not know deadlines, so a client
/// sending a byte a second kept a thread for as long as it liked.
class guarded_stream : public httplib::Stream {
public:
  guarded_stream(guarded_server& server, guarded_server::connection& c)
      : server_(server), c_(c), buffer_(4096) {}

  bool buffered() const { return offset_ < size_; }

  bool is_readable() const override { return buffered() || wait_readable(); }

  bool is_writable() const override { return wait(POLLOUT, write_timeout(), false) && alive(); }

  ssize_t read(char* ptr, size_t size) override {
    if (!buffered()) {
      if (!wait_readable()) return -1;
      auto n = ::recv(c_.sock, buffer_.data(), buffer_.size(), 0);
      while (n < 0 && errno == EINTR)
        n = ::recv(c_.sock, buffer_.data(), buffer_.size(), 0);
      if (n <= 0) return n;
      offset_ = 0;
      size_ = static_cast<size_t>(n);
    }
    auto n = std::min(size, size_ - offset_);
    std::memcpy(ptr, buffer_.data() + offset_, n);
    offset_ += n;
    if (c_.recording) {
      if (c_.head.size() + n > server_.options_.max_head_bytes) {
        c_.head_too_long = true;
        return -1;
      }
      c_.head.append(ptr, n);
    }
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!wait(POLLOUT, write_timeout(), false)) return -1;
    auto n = ::send(c_.sock, ptr, size, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR)
      n = ::send(c_.sock, ptr, size, MSG_NOSIGNAL);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = peer_address(c_.sock, &port);
  }

  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = local_address(c_.sock, &port);
  }

  socket_t socket() const override { return c_.sock; }

  /// Waits for readable bytes until the phase's deadline, the read timeout or the stop.
  bool wait_readable() const {
    auto until = std::min(c_.deadline, clock_type::now() + read_timeout());
    return wait(POLLIN, until, true);
  }

private:
  std::chrono::milliseconds read_timeout() const {
    return std::chrono::seconds(server_.read_timeout_sec_) +
           std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::microseconds(server_.read_timeout_usec_));
  }

  clock_type::time_point write_timeout() const {
    return clock_type::now() + std::chrono::seconds(server_.write_timeout_sec_) +
           std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::microseconds(server_.write_timeout_usec_));
  }

  /// Polls the socket for `events` until `until`; reads also wake at the stop (writes go on,
  /// so that answers being drained are still delivered).
  bool wait(short events, clock_type::time_point until, bool wake_at_stop) const {
    while (true) {
      if (wake_at_stop && server_.stopping_) return false;
      pollfd fds[2] = {{c_.sock, events, 0}, {server_.wake_fd_, POLLIN, 0}};
      auto n = ::poll(fds, wake_at_stop ? 2 : 1, millis_until(until));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      if (wake_at_stop && (fds[1].revents & POLLIN)) return false;
      return (fds[0].revents & (events | POLLHUP | POLLERR)) != 0;
    }
  }

  /// The client is still there: nothing to read, or something (not the end) to read.
  bool alive() const {
    if (buffered()) return true;
    pollfd fd{c_.sock, POLLIN, 0};
    if (::poll(&fd, 1, 0) <= 0) return true;
    char byte;
    return ::recv(c_.sock, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
  }

  guarded_server& server_;
  guarded_server::connection& c_;
  std::vector<char> buffer_;
  size_t offset_ = 0;
  size_t size_ = 0;
};

guarded_server::guarded_server(guard_options options)
    : options_(std::move(options)),
      max_per_address_(options_.max_per_address > 0
                           ? options_.max_per_address
                           : std::max<std::size_t>(options_.threads * 3 / 4, 1)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  auto threads = std::max<std::size_t>(options_.threads, 2);
  new_task_queue = [this, threads] { return new counting_queue(threads, waiting_); };
  set_keep_alive_timeout(std::max<time_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(options_.idle_timeout).count()));
  Server::set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    auto* c = current_connection;
    if (c != nullptr && c->problem) {
      log("refused request", c->problem->message);
      if (options_.refuse) {
        options_.refuse(res, c->problem->status, c->problem->message);
      } else {
        res.status = c->problem->status;
        res.set_content(c->problem->message, "text/plain");
      }
      return HandlerResponse::Handled;
    }
    return owner_pre_routing_ ? owner_pre_routing_(req, res) : HandlerResponse::Unhandled;
  });
}

guarded_server::~guarded_server() {
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

guarded_server& guarded_server::set_pre_routing_handler(HandlerWithResponse handler) {
  owner_pre_routing_ = std::move(handler);
  return *this;
}

void guarded_server::stop_reading() {
  stopping_ = true;
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

std::size_t guarded_server::open_connections() const {
  std::lock_guard lock(mutex_);
  return open_;
}

void guarded_server::log(const std::string& message, const std::string& detail) const {
  if (options_.log) options_.log(message, detail);
}

bool guarded_server::admit(const std::string& peer) {
  std::lock_guard lock(mutex_);
  auto& n = per_address_[peer];
  // Every local client shares one loopback address (an MCP SDK client alone opens a dozen
  // connections), so the default cap is for remote addresses; a configured one is for all.
  bool capped = options_.max_per_address > 0 || !is_loopback_host(peer);
  if (capped && n >= max_per_address_) {
    if (n == 0) per_address_.erase(peer);
    return false;
  }
  ++n;
  ++open_;
  return true;
}

void guarded_server::release(const std::string& peer) {
  std::lock_guard lock(mutex_);
  if (auto it = per_address_.find(peer); it != per_address_.end() && --it->second == 0)
    per_address_.erase(it);
  --open_;
}

/// Waits for the first byte of the next request. An idle connection gives its thread up when
/// the server stops, its idle time is over, or another connection waits for a thread.
bool guarded_server::wait_for_request(connection& c) {
  auto until = clock_type::now() + options_.idle_timeout;
  while (!stopping_) {
    auto slice = std::min(until, clock_type::now() + idle_check);
    pollfd fds[2] = {{c.sock, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    auto n = ::poll(fds, 2, millis_until(slice));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (fds[1].revents & POLLIN)) return false;
    if (n > 0) return (fds[0].revents & POLLIN) != 0;
    if (clock_type::now() >= until || waiting_ > 0) return false;
  }
  return false;
}

void guarded_server::on_head(connection& c, httplib::Request& req) {
  c.recording = false;
  c.deadline = clock_type::now() + options_.body_timeout;
  auto head = read_request_head(c.head);
  c.head.clear();
  if (head.problem) {
    c.problem = std::move(head.problem);
    c.close_after = true; // the body, if any, is unread: nothing after it can be trusted
    req.set_header("Connection", "close");
    return;
  }
  httplib::Headers sent;
  for (auto& [name, value] : req.headers)
    if (added_by_httplib(name)) sent.emplace(name, value);
  for (auto& [name, value] : head.fields)
    sent.emplace(name, value);
  req.headers = std::move(sent);
  bool declares_body = req.has_header("Content-Length") || req.has_header("Transfer-Encoding");
  if (!declares_body) req.set_header("Content-Length", "0");
}

bool guarded_server::process_and_close_socket(socket_t sock) {
  connection c;
  c.sock = sock;
  c.peer = peer_address(sock);
  bool ok = false;
  if (stopping_) {
    // accepted but not picked up before the stop: nothing was read, nothing is owed
  } else if (!admit(c.peer)) {
    log("refused connection", "too many connections from " + c.peer + " (at most " +
                                  std::to_string(max_per_address_) + ")");
    std::string answer = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
                         "Retry-After: 1\r\nContent-Type: " +
                         options_.over_cap_type +
                         "\r\nContent-Length: " + std::to_string(options_.over_cap_body.size()) +
                         "\r\n\r\n" + options_.over_cap_body;
    [[maybe_unused]] auto n = ::send(sock, answer.data(), answer.size(), MSG_NOSIGNAL);
  } else {
    guarded_stream stream(*this, c);
    current_connection = &c;
    auto count = keep_alive_max_count_;
    while (count > 0 && !stopping_ && (stream.buffered() || wait_for_request(c))) {
      c.deadline = clock_type::now() + options_.header_timeout;
      c.recording = true;
      c.head.clear();
      c.problem.reset();
      bool connection_closed = false;
      ok = process_request(stream, count == 1, connection_closed,
                           [this, &c](httplib::Request& req) { on_head(c, req); });
      if (c.recording && !c.head.empty()) {
        log("dropped connection",
            c.head_too_long ? "request head from " + c.peer + " over " +
                                  std::to_string(options_.max_head_bytes) + " bytes"
                            : "request head from " + c.peer + " not complete within " +
                                  std::to_string(options_.header_timeout.count()) + " ms");
      }
      c.recording = false;
      c.deadline = clock_type::time_point::max();
      if (!ok || connection_closed || c.close_after) break;
      --count;
    }
    current_connection = nullptr;
    release(c.peer);
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

} // namespace sage::services::net
