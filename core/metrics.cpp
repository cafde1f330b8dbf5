// The metrics registry and its Prometheus text rendering.
// SPDX-License-Identifier: MIT
#include "core/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace sage::core {
namespace {

bool valid_name(std::string_view name, bool allow_colon) {
  auto first = [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (allow_colon && c == ':');
  };
  auto rest = [&](char c) { return first(c) || (c >= '0' && c <= '9'); };
  return !name.empty() && first(name.front()) && std::all_of(name.begin() + 1, name.end(), rest);
}

void check_names(const std::string& name, const std::vector<std::string>& label_names,
                 metric_type type) {
  if (!valid_name(name, true)) throw std::invalid_argument("invalid metric name \"" + name + "\"");
  for (const auto& label : label_names) {
    if (!valid_name(label, false) || label.starts_with("__"))
      throw std::invalid_argument("invalid label name \"" + label + "\" for " + name);
    if (type == metric_type::histogram && label == "le")
      throw std::invalid_argument("a histogram cannot have a label named le: " + name);
  }
  auto sorted = label_names;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    throw std::invalid_argument("duplicate label name for " + name);
}

const char* type_name(metric_type type) {
  switch (type) {
  case metric_type::counter:
    return "counter";
  case metric_type::gauge:
    return "gauge";
  case metric_type::histogram:
    return "histogram";
  }
  return "untyped";
}

/// `{a="x",b="y"}`, with `extra` (a histogram's `le`) last; nothing at all without labels.
void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, std::string_view name, std::string_view suffix,
                   const std::vector<std::string>& names, const std::vector<std::string>& values,
                   const std::string& value, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  out += name;
  out += suffix;
  append_labels(out, names, values, extra_name, extra_value);
  out += ' ';
  out += value;
  out += '\n';
}

void render_one(std::string& out, const std::string& name, const std::vector<std::string>& names,
                const std::vector<std::string>& values, const metric_counter& c) {
  append_sample(out, name, "", names, values, std::to_string(c.value()));
}

void render_one(std::string& out, const std::string& name, const std::vector<std::string>& names,
                const std::vector<std::string>& values, const metric_gauge& g) {
  append_sample(out, name, "", names, values, format_metric_value(g.value()));
}

void render_one(std::string& out, const std::string& name, const std::vector<std::string>& names,
                const std::vector<std::string>& values, const metric_histogram& h) {
  auto r = h.read();
  const auto& bounds = h.bounds();
  for (size_t i = 0; i < bounds.size(); ++i)
    append_sample(out, name, "_bucket", names, values, std::to_string(r.cumulative[i]), "le",
                  format_metric_value(bounds[i]));
  append_sample(out, name, "_bucket", names, values, std::to_string(r.count), "le", "+Inf");
  append_sample(out, name, "_sum", names, values, format_metric_value(r.sum));
  append_sample(out, name, "_count", names, values, std::to_string(r.count));
}

} // namespace

// -- text format helpers --

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_metric_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::to_string(v);
}

std::vector<double> exponential_buckets(double start, double factor, int count) {
  std::vector<double> out;
  for (double b = start; static_cast<int>(out.size()) < count; b *= factor)
    out.push_back(b);
  return out;
}

// -- histogram --

metric_histogram::metric_histogram(std::shared_ptr<const std::vector<double>> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_->size() + 1)) {}

void metric_histogram::observe(double v) {
  // The first bound >= v: `le` is inclusive. NaN lands in +Inf.
  auto idx =
      static_cast<size_t>(std::lower_bound(bounds_->begin(), bounds_->end(), v) - bounds_->begin());
  counts_[idx].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

metric_histogram::reading metric_histogram::read() const {
  reading r;
  r.cumulative.resize(bounds_->size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_->size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    r.cumulative[i] = total;
  }
  r.count = total;
  r.sum = sum_.load(std::memory_order_relaxed);
  return r;
}

// -- families --

metric_family_base::metric_family_base(std::string name, std::string help, metric_type type,
                                       std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), type_(type),
      label_names_(std::move(label_names)) {}

void metric_family_base::render(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  for (char c : help_) { // HELP escapes only backslash and newline
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += type_name(type_);
  out += '\n';
  render_series(out);
}

template <class Metric>
metric_family<Metric>::metric_family(std::string name, std::string help, metric_type type,
                                     std::vector<std::string> label_names,
                                     std::function<std::unique_ptr<Metric>()> make)
    : metric_family_base(std::move(name), std::move(help), type, std::move(label_names)),
      make_(std::move(make)) {}

template <class Metric>
Metric& metric_family<Metric>::with(std::initializer_list<std::string_view> values) {
  return with(std::span<const std::string_view>(values.begin(), values.size()));
}

template <class Metric>
Metric& metric_family<Metric>::with(std::span<const std::string_view> values) {
  if (values.size() != label_names_.size())
    throw std::invalid_argument(name_ + " takes " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(values.size()));
  {
    std::shared_lock lock(mutex_);
    if (auto it = series_.find(values); it != series_.end()) return *it->second;
  }
  std::unique_lock lock(mutex_);
  auto it = series_.find(values);
  if (it == series_.end())
    it = series_.emplace(std::vector<std::string>(values.begin(), values.end()), make_()).first;
  return *it->second;
}

template <class Metric>
std::vector<std::pair<std::vector<std::string>, const Metric*>>
metric_family<Metric>::series() const {
  std::shared_lock lock(mutex_);
  std::vector<std::pair<std::vector<std::string>, const Metric*>> out;
  for (const auto& [labels, metric] : series_)
    out.emplace_back(labels, metric.get());
  return out;
}

template <class Metric> void metric_family<Metric>::render_series(std::string& out) const {
  std::shared_lock lock(mutex_);
  for (const auto& [labels, metric] : series_)
    render_one(out, name_, label_names_, labels, *metric);
}

template class metric_family<metric_counter>;
template class metric_family<metric_gauge>;
template class metric_family<metric_histogram>;

// -- registry --

template <class Family, class Make>
Family& metrics_registry::add(const std::string& name, const std::string& help, metric_type type,
                              std::vector<std::string> label_names, Make make) {
  check_names(name, label_names, type);
  std::lock_guard lock(mutex_);
  if (auto it = families_.find(name); it != families_.end()) {
    auto* same = dynamic_cast<Family*>(it->second.get());
    if (!same || same->type() != type || same->label_names() != label_names)
      throw std::logic_error("metric " + name + " is already registered differently");
    return *same;
  }
  bool unlabelled = label_names.empty();
  auto family = std::make_unique<Family>(name, help, type, std::move(label_names), make);
  if (unlabelled) family->with({});
  auto& out = *family;
  families_.emplace(name, std::move(family));
  return out;
}

counter_family& metrics_registry::counter(const std::string& name, const std::string& help,
                                          std::vector<std::string> label_names) {
  return add<counter_family>(name, help, metric_type::counter, std::move(label_names),
                             [] { return std::make_unique<metric_counter>(); });
}

gauge_family& metrics_registry::gauge(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names) {
  return add<gauge_family>(name, help, metric_type::gauge, std::move(label_names),
                           [] { return std::make_unique<metric_gauge>(); });
}

histogram_family& metrics_registry::histogram(const std::string& name, const std::string& help,
                                              std::vector<std::string> label_names,
                                              std::vector<double> bounds) {
  if (bounds.empty() ||
      !std::all_of(bounds.begin(), bounds.end(), [](double b) { return std::isfinite(b); }) ||
      std::adjacent_find(bounds.begin(), bounds.end(), std::greater_equal<>()) != bounds.end())
    throw std::invalid_argument("histogram " + name +
                                " needs strictly increasing finite bucket bounds");
  auto shared = std::make_shared<const std::vector<double>>(std::move(bounds));
  return add<histogram_family>(name, help, metric_type::histogram, std::move(label_names),
                               [shared] { return std::make_unique<metric_histogram>(shared); });
}

void metrics_registry::on_collect(std::function<void()> collect) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collect));
}

std::string metrics_registry::render() const {
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard lock(mutex_);
    collectors = collectors_;
  }
  // Outside the lock: a collector sets gauges through families of this registry.
  for (const auto& collect : collectors)
    collect();
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& [name, family] : families_)
    family->render(out);
  return out;
}

} // namespace sage::core
