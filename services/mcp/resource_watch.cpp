// The resource watch: live sessions, and the notifications a `loader.changed` means for them.
// SPDX-License-Identifier: MIT
#include "services/mcp/resource_watch.hpp"

#include "actors/engine.hpp"

#include <algorithm>
#include <set>

namespace sage::services::mcp {
namespace {

using json = nlohmann::json;

constexpr std::string_view knowledge_scheme = "knowledge://";

/// The strings of `payload.uris.<key>`; nothing for anything else.
std::vector<std::string> uris_of(const json& payload, const char* key) {
  std::vector<std::string> out;
  if (!payload.is_object()) return out;
  auto uris = payload.find("uris");
  if (uris == payload.end() || !uris->is_object()) return out;
  auto list = uris->find(key);
  if (list == uris->end() || !list->is_array()) return out;
  for (const auto& u : *list)
    if (u.is_string()) out.push_back(u.get<std::string>());
  return out;
}

/// `knowledge://<layer>` of a document URI, or nothing.
std::optional<std::string> layer_uri_of(const std::string& uri) {
  if (!uri.starts_with(knowledge_scheme)) return std::nullopt;
  auto slash = uri.find('/', knowledge_scheme.size());
  if (slash == std::string::npos || slash == knowledge_scheme.size()) return std::nullopt;
  return uri.substr(0, slash);
}

} // namespace

resource_watch::resource_watch() : sender_(std::make_unique<worker_pool>(1)) {}

resource_watch::resource_watch(actors::engine& engine) : resource_watch() {
  // The callback runs on a CAF thread: it only queues the work for the sender thread.
  auto heard = actors::listen(engine, "loader.changed", [this](const actors::event& ev) {
    sender_->submit([this, payload = ev.payload] {
      auto parsed = json::parse(payload, nullptr, /*allow_exceptions=*/false);
      if (!parsed.is_discarded()) changed(parsed);
    });
  });
  if (heard)
    listener_.emplace(std::move(*heard));
  else
    failure_ = heard.err().message;
}

resource_watch::~resource_watch() {
  listener_.reset(); // no more work is queued once this returns
  sender_.reset();   // sends what is queued, then joins
}

void resource_watch::add(const std::shared_ptr<session_notifier>& notifier) {
  if (!notifier || !notifier->can_notify()) return;
  std::lock_guard lock{mutex_};
  std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
  sessions_.push_back(notifier);
}

size_t resource_watch::sessions() {
  return live().size();
}

std::vector<std::shared_ptr<session_notifier>> resource_watch::live() {
  std::vector<std::shared_ptr<session_notifier>> out;
  std::lock_guard lock{mutex_};
  std::erase_if(sessions_, [&out](const std::weak_ptr<session_notifier>& w) {
    auto strong = w.lock();
    if (!strong) return true;
    out.push_back(std::move(strong));
    return false;
  });
  return out;
}

void resource_watch::changed(const nlohmann::json& payload) {
  auto added = uris_of(payload, "added");
  auto removed = uris_of(payload, "removed");
  // Every document whose next read differs, and the layers they are in.
  std::set<std::string> documents;
  for (const char* key : {"added", "changed", "removed"})
    for (auto& uri : uris_of(payload, key))
      documents.insert(std::move(uri));
  std::set<std::string> layers;
  for (const auto& uri : documents)
    if (auto layer = layer_uri_of(uri)) layers.insert(std::move(*layer));
  bool list_changed = !added.empty() || !removed.empty();

  // Outside the lock: a sink may block on a slow client, and sessions come and go meanwhile.
  for (const auto& session : live()) {
    for (const auto* uris : {&documents, &layers})
      for (const auto& uri : *uris)
        if (session->subscribed(uri))
          session->notify("notifications/resources/updated", {{"uri", uri}});
    if (list_changed) session->notify("notifications/resources/list_changed");
  }
}

} // namespace sage::services::mcp
