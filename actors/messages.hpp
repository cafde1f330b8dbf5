// Message types exchanged by actors, each with a 0.17-style `inspect`, so every one can cross
// to a remote node. The core result types get their `inspect` here, beside the requests, so
// `core/` stays free of CAF.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/kb_summary.hpp"
#include "core/knowledge_ops.hpp"
#include "core/load_result.hpp"

#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>
#include <vector>

// -- core result types --------------------------------------------------------------------------

namespace sage::core {

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, section_ref& x) {
  return f(caf::meta::type_name("sage.section_ref"), x.id, x.tokens, x.score);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, index_stamp& x) {
  return f(caf::meta::type_name("sage.index_stamp"), x.generation, x.built_at);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, load_result& x) {
  return f(caf::meta::type_name("sage.load_result"), x.content, x.tokens, x.status, x.complete,
           x.duration_ms, x.timeout_ms, x.files_loaded, x.layers, x.sections, x.omitted,
           x.budget_limit, x.errors, x.index);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, search_item& x) {
  return f(caf::meta::type_name("sage.search_item"), x.path, x.uri, x.title, x.section,
           x.section_id, x.layer, x.snippet, x.score, x.tokens);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, search_answer& x) {
  return f(caf::meta::type_name("sage.search_answer"), x.query, x.results, x.duration_ms, x.index,
           x.status, x.errors);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, search_params& x) {
  return f(caf::meta::type_name("sage.search_params"), x.query, x.limit, x.layers, x.tags,
           x.include_retired);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, layer_summary& x) {
  return f(caf::meta::type_name("sage.layer_summary"), x.name, x.folder, x.priority,
           x.always_loaded, x.documents, x.sections, x.tokens);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, layers_answer& x) {
  return f(caf::meta::type_name("sage.layers_answer"), x.layers, x.encoding, x.index);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, kb_info& x) {
  return f(caf::meta::type_name("sage.kb_info"), x.version, x.kb_path, x.documents, x.sections,
           x.problems, x.index, x.build_ms, x.scan_ms, x.cache_read_ms, x.parse_ms, x.index_ms,
           x.files_parsed, x.files_from_cache, x.token_encoding, x.default_budget, x.core_share,
           x.cache_dir, x.layer_count, x.trigger_count);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, document_entry& x) {
  return f(caf::meta::type_name("sage.document_entry"), x.path, x.title, x.uri);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, document_listing& x) {
  return f(caf::meta::type_name("sage.document_listing"), x.layer, x.documents);
}

} // namespace sage::core

// -- requests -------------------------------------------------------------------------------------

namespace sage::actors {

/// `get`: a layer, a path, a folder or a `knowledge://` URI.
struct get_request {
  std::string target;
  uint64_t budget = 0; ///< 0 = no budget
  bool include_retired = false;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, get_request& x) {
  return f(caf::meta::type_name("sage.get_request"), x.target, x.budget, x.include_retired);
}

/// `context`: smart loading for a task.
struct context_request {
  std::string task;
  uint64_t budget = 0; ///< 0 = loading.default_budget
  std::vector<std::string> layers;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, context_request& x) {
  return f(caf::meta::type_name("sage.context_request"), x.task, x.budget, x.layers);
}

/// `guidelines` / `framework` / `template` by name.
struct named_request {
  uint8_t kind = 0; ///< core::named_kind as a number (enums need no inspect this way)
  std::string name;
  uint64_t budget = 0;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, named_request& x) {
  return f(caf::meta::type_name("sage.named_request"), x.kind, x.name, x.budget);
}

/// Sent with every request from the timeout supervisor to the loader: which request it is
/// (partial answers name it) and how long the caller waits.
struct job {
  uint64_t id = 0;
  uint32_t timeout_ms = 0;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, job& x) {
  return f(caf::meta::type_name("sage.job"), x.id, x.timeout_ms);
}

/// The outcome of a background rebuild of the knowledge base.
struct rebuild_report {
  bool swapped = false; ///< a new snapshot is in place (false: nothing changed, or an error)
  uint64_t generation = 0;
  std::string built_at;
  uint64_t documents = 0;
  double build_ms = 0;
  std::vector<std::string> added, changed, removed;                ///< KB-relative paths
  std::vector<std::string> added_uris, changed_uris, removed_uris; ///< the same as URIs
  std::string error;                                               ///< empty on success
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rebuild_report& x) {
  return f(caf::meta::type_name("sage.rebuild_report"), x.swapped, x.generation, x.built_at,
           x.documents, x.build_ms, x.added, x.changed, x.removed, x.added_uris, x.changed_uris,
           x.removed_uris, x.error);
}

/// One circuit breaker as the timeout supervisor sees it.
struct breaker_status {
  std::string operation;
  std::string state; ///< closed | open | half_open
  int32_t consecutive_failures = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, breaker_status& x) {
  return f(caf::meta::type_name("sage.breaker_status"), x.operation, x.state,
           x.consecutive_failures);
}

/// Counters of the timeout supervisor.
struct supervisor_stats {
  uint64_t requests = 0, succeeded = 0, failed = 0, partial = 0, fallback = 0, refused = 0;
  uint64_t in_flight = 0;
  std::vector<breaker_status> breakers;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, supervisor_stats& x) {
  return f(caf::meta::type_name("sage.supervisor_stats"), x.requests, x.succeeded, x.failed,
           x.partial, x.fallback, x.refused, x.in_flight, x.breakers);
}

/// One actor the node supervises.
struct child_status {
  std::string name; ///< `event_router`, `loader`, `worker-0`, `timeout_supervisor`
  bool running = false;
  uint32_t restarts = 0;
  std::string last_exit; ///< why it last went down, empty if never
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, child_status& x) {
  return f(caf::meta::type_name("sage.child_status"), x.name, x.running, x.restarts, x.last_exit);
}

// -- events ---------------------------------------------------------------------------------------

/// A published event: a namespaced type (`loader.changed`) and a JSON payload as text.
struct event {
  std::string type;
  std::string payload;      ///< JSON object text, `{}` when there is nothing to say
  int64_t published_ms = 0; ///< milliseconds since the epoch
  std::string source;       ///< who published it (`loader`, `node`, ...)
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, event& x) {
  return f(caf::meta::type_name("sage.event"), x.type, x.payload, x.published_ms, x.source);
}

/// What a subscriber wants: a glob pattern over event types, a priority (lower is sent to
/// first) and how long its handler may take per event.
struct subscription {
  std::string pattern = "*";
  int32_t priority = 50;
  uint32_t timeout_ms = 5000;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, subscription& x) {
  return f(caf::meta::type_name("sage.subscription"), x.pattern, x.priority, x.timeout_ms);
}

/// Delivery counters of the event router.
struct router_stats {
  uint64_t published = 0;
  uint64_t delivered = 0; ///< handlers that acknowledged in time
  uint64_t failed = 0;    ///< handlers that threw, died or answered with an error
  uint64_t timed_out = 0; ///< handlers that did not answer within their timeout
  uint64_t subscriptions = 0;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, router_stats& x) {
  return f(caf::meta::type_name("sage.router_stats"), x.published, x.delivered, x.failed,
           x.timed_out, x.subscriptions);
}

} // namespace sage::actors
