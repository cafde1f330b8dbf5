// `GET /v1/events`: router events to server-sent events.
// SPDX-License-Identifier: MIT
#include "services/http/event_streams.hpp"

#include "core/catalogue/catalogue.hpp"

#include "services/http/errors.hpp"

#include "actors/engine.hpp"
#include "actors/event_listener.hpp"

#include <httplib.h>

#include <condition_variable>
#include <deque>

namespace sage::services::http {
namespace {

constexpr size_t max_pattern_length = 128;

bool write(httplib::DataSink& sink, const std::string& text) {
  return sink.write(text.data(), text.size());
}

/// The `data:` line of one event: `{"type","source","published_ms","payload"}`, the payload as
/// the JSON object it was published as (a payload that is not JSON is kept as a string).
json event_json(const actors::event& ev) {
  auto payload = json::parse(ev.payload, nullptr, false);
  if (payload.is_discarded()) payload = ev.payload;
  return {{"type", ev.type},
          {"source", ev.source},
          {"published_ms", ev.published_ms},
          {"payload", std::move(payload)}};
}

/// One event in SSE framing: `id: <seq>`, `event: <type>`, `data: <event_json>`.
std::string sse_frame(uint64_t seq, const actors::event& ev) {
  // Types are published by the engine (`memory.added`), never by clients; a line break in one
  // would still end the field, so it is replaced rather than trusted.
  std::string type = ev.type;
  for (auto& c : type)
    if (c == '\n' || c == '\r') c = ' ';
  return "id: " + std::to_string(seq) + "\nevent: " + type +
         "\ndata: " + event_json(ev).dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
}

} // namespace

std::optional<core::error> check_event_pattern(const std::string& pattern) {
  constexpr const char* hint = "give a glob over event types: `*`, `memory.*`, `*.error`, "
                               "`loader.changed` (letters, digits, . _ - * ?)";
  if (pattern.empty() || pattern.size() > max_pattern_length)
    return bad_request(
        "an event pattern has 1 to " + std::to_string(max_pattern_length) + " characters", hint);
  for (unsigned char c : pattern)
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-' && c != '*' && c != '?')
      return bad_request(
          "an event pattern may not contain '" + std::string(1, static_cast<char>(c)) + "'", hint);
  return std::nullopt;
}

/// What the listener's callback (on a CAF thread) and the HTTP thread writing the stream share.
/// The callback only queues; all writing happens on the HTTP thread.
struct event_streams::stream {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<actors::event> queue;
  size_t dropped = 0; ///< since the client was last told
  bool over = false;  ///< close_all, or the engine went away
  std::optional<actors::event_listener> listener;

  void push(const actors::event& ev, size_t limit) {
    {
      std::lock_guard lock(mutex);
      if (over) return;
      if (queue.size() >= limit) {
        queue.pop_front();
        ++dropped;
      }
      queue.push_back(ev);
    }
    wake.notify_one();
  }

  void end() {
    {
      std::lock_guard lock(mutex);
      over = true;
    }
    wake.notify_all();
  }
};

event_streams::event_streams(actors::engine& engine, event_stream_options options)
    : engine_(engine), options_(options) {}

event_streams::~event_streams() {
  close_all();
}

void event_streams::close_all() {
  std::vector<std::shared_ptr<stream>> open;
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    for (auto& w : streams_)
      if (auto s = w.lock()) open.push_back(std::move(s));
    streams_.clear();
  }
  for (auto& s : open)
    s->end();
}

core::result<reply> event_streams::open(const std::string& pattern, const std::string& request_id) {
  auto refuse = [&](std::string message, std::string hint) {
    return json_reply(error_body("unavailable", std::move(message),
                                 {{"hint", std::move(hint)}, {"request_id", request_id}}),
                      503);
  };
  if (open_.fetch_add(1) >= options_.max_streams) {
    --open_;
    return refuse("too many open event streams (" + std::to_string(options_.max_streams) + ")",
                  "close one, or raise server.max_event_streams (below server.threads)");
  }
  auto s = std::make_shared<stream>();
  {
    std::lock_guard lock(mutex_);
    if (closing_) {
      --open_;
      return refuse("the server is stopping", "connect again once it is back");
    }
    std::erase_if(streams_, [](const auto& w) { return w.expired(); });
    streams_.push_back(s);
  }
  // The callback holds the stream weakly: once the HTTP side is done, queued events go nowhere.
  std::weak_ptr<stream> weak = s;
  auto limit = options_.queue_limit;
  auto listener = actors::listen(engine_, pattern, [weak, limit](const actors::event& ev) {
    if (auto target = weak.lock()) target->push(ev, limit);
  });
  if (!listener) {
    --open_;
    return listener.err();
  }
  s->listener.emplace(std::move(*listener));

  reply r;
  // Cache-Control: no-store comes with every answer; proxies that honour it do not buffer.
  r.headers = {{"X-Accel-Buffering", "no"}};
  r.content_type = "text/event-stream";
  auto probe = options_.probe_interval;
  r.stream = [this, s, probe, pattern](httplib::Response& res) {
    auto provider = [s, probe, pattern, seq = uint64_t{0}](size_t,
                                                           httplib::DataSink& sink) mutable {
      // A first comment at once: clients and proxies that hold the headers back until body
      // bytes come see the stream open now.
      if (!write(sink, ": listening for " + pattern + "\n\n")) return false;
      while (true) {
        std::deque<actors::event> batch;
        size_t dropped = 0;
        bool over = false;
        {
          std::unique_lock lock(s->mutex);
          s->wake.wait_for(lock, probe, [&] { return s->over || !s->queue.empty(); });
          batch.swap(s->queue);
          std::swap(dropped, s->dropped);
          over = s->over;
        }
        if (dropped > 0) {
          actors::event note{"events.dropped", json{{"dropped", dropped}}.dump(), 0, "api"};
          if (!write(sink, sse_frame(++seq, note))) return false;
        }
        for (const auto& ev : batch)
          if (!write(sink, sse_frame(++seq, ev))) return false;
        if (over) {
          sink.done();
          return true;
        }
        if (batch.empty() && dropped == 0 && !write(sink, ":\n\n")) return false;
      }
    };
    auto releaser = [this, s](bool) {
      // Unsubscribe now rather than when the last copy of the stream goes.
      s->end();
      s->listener.reset();
      --open_;
    };
    res.set_chunked_content_provider("text/event-stream", std::move(provider), std::move(releaser));
  };
  return r;
}

void add_event_routes(route_table& table, event_streams& streams,
                      const core::catalogue::catalogue& catalogue) {
  table.add(
      route_of(catalogue.at("stream_events"), [&streams](const call& c) -> core::result<reply> {
        auto pattern = c.params.value("pattern", std::string("*"));
        if (auto err = check_event_pattern(pattern)) return *err;
        return streams.open(pattern, c.request_id);
      }));
}

} // namespace sage::services::http
