// Metrics: counters, gauges and histograms with labels in one registry, rendered in the
// Prometheus text exposition format 0.0.4. No I/O: values read from the system are set by
// collectors that the caller registers.
// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sage::core {

// -- one series -----------------------------------------------------------------------

/// A count that only goes up. Lock-free; safe from any thread.
class metric_counter {
public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<uint64_t> value_{0};
};

/// A value that goes up and down. Lock-free; safe from any thread.
class metric_gauge {
public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<double> value_{0};
};

/// Observations counted into buckets by upper bound (`le`, inclusive), plus their sum.
/// Lock-free; safe from any thread.
class metric_histogram {
public:
  /// `bounds`: strictly increasing finite upper bounds; `+Inf` is implied.
  explicit metric_histogram(std::shared_ptr<const std::vector<double>> bounds);

  void observe(double v);

  /// Counts per bucket made cumulative, the last one being `+Inf` (= `count`), read so that
  /// `count` always equals the `+Inf` bucket even while other threads observe.
  struct reading {
    std::vector<uint64_t> cumulative;
    double sum = 0;
    uint64_t count = 0;
  };
  reading read() const;

  const std::vector<double>& bounds() const { return *bounds_; }

private:
  std::shared_ptr<const std::vector<double>> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_; ///< per bucket, not cumulative; last = +Inf
  std::atomic<double> sum_{0};
};

// -- families ---------------------------------------------------------------------------

enum class metric_type { counter, gauge, histogram };

/// What every family has; the registry renders families through it.
class metric_family_base {
public:
  metric_family_base(std::string name, std::string help, metric_type type,
                     std::vector<std::string> label_names);
  virtual ~metric_family_base() = default;

  const std::string& name() const { return name_; }
  metric_type type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  /// Appends `# HELP`, `# TYPE` and one line (histograms: several) per series.
  void render(std::string& out) const;

protected:
  virtual void render_series(std::string& out) const = 0;

  std::string name_;
  std::string help_;
  metric_type type_;
  std::vector<std::string> label_names_;
};

/// Series of one metric told apart by label values, in the order of the family's label names.
template <class Metric> class metric_family final : public metric_family_base {
public:
  metric_family(std::string name, std::string help, metric_type type,
                std::vector<std::string> label_names,
                std::function<std::unique_ptr<Metric>()> make);

  /// The series for these label values, created on first use (values are escaped when
  /// rendered, never rejected). Looking up an existing series does not allocate; still, on a
  /// hot path keep the reference: it stays valid as long as the registry. Throws
  /// std::invalid_argument when the number of values differs from the number of label names.
  Metric& with(std::initializer_list<std::string_view> values);
  Metric& with(std::span<const std::string_view> values);

  /// Every series with its label values, for tests and collectors.
  std::vector<std::pair<std::vector<std::string>, const Metric*>> series() const;

private:
  /// Orders stored label values and looked-up views alike, so a lookup needs no key copy.
  struct labels_less {
    using is_transparent = void;
    template <class A, class B> bool operator()(const A& a, const B& b) const {
      return std::lexicographical_compare(
          a.begin(), a.end(), b.begin(), b.end(),
          [](const auto& x, const auto& y) { return std::string_view(x) < std::string_view(y); });
    }
  };

  void render_series(std::string& out) const override;

  std::function<std::unique_ptr<Metric>()> make_;
  mutable std::shared_mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>, labels_less> series_;
};

using counter_family = metric_family<metric_counter>;
using gauge_family = metric_family<metric_gauge>;
using histogram_family = metric_family<metric_histogram>;

// -- the registry -----------------------------------------------------------------------

/// Owns the families of one process (or one test). Registering a name again with the same
/// type and label names returns the family already there; anything else about names is a
/// programming error and throws (std::invalid_argument for a name or label name that
/// Prometheus does not accept, std::logic_error for a clash).
class metrics_registry {
public:
  metrics_registry() = default;
  metrics_registry(const metrics_registry&) = delete;
  metrics_registry& operator=(const metrics_registry&) = delete;

  /// A family without labels has its one series from the start, so it renders as 0.
  counter_family& counter(const std::string& name, const std::string& help,
                          std::vector<std::string> label_names = {});
  gauge_family& gauge(const std::string& name, const std::string& help,
                      std::vector<std::string> label_names = {});
  /// `bounds`: strictly increasing finite upper bounds of the buckets.
  histogram_family& histogram(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names, std::vector<double> bounds);

  /// Runs `collect` at the start of every `render`: for values read on demand, such as the
  /// memory of the process. Collectors may run on any thread that renders.
  void on_collect(std::function<void()> collect);

  /// Every family, sorted by name, in the text exposition format 0.0.4.
  std::string render() const;

private:
  template <class Family, class Make>
  Family& add(const std::string& name, const std::string& help, metric_type type,
              std::vector<std::string> label_names, Make make);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<metric_family_base>> families_;
  std::vector<std::function<void()>> collectors_;
};

// -- the text format ----------------------------------------------------------------------

/// The content type of `render`'s output.
inline constexpr std::string_view prometheus_content_type = "text/plain; version=0.0.4";

/// A label value as the text format wants it: `\` `"` and newline escaped.
std::string escape_label_value(std::string_view value);

/// A sample value: shortest round-trip decimal, `+Inf`, `-Inf`, `NaN`.
std::string format_metric_value(double v);

/// Upper bounds from `start` multiplying by `factor`, `count` of them.
std::vector<double> exponential_buckets(double start, double factor, int count);

} // namespace sage::core
