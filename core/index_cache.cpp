// The on-disk index cache.
// SPDX-License-Identifier: MIT
#include "core/index_cache.hpp"

#include "core/binary_io.hpp"

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/mman.h>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

namespace sage::core {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view magic = "SAGEIDX\x01";
constexpr uint32_t format_version = 2;

void put_document(binary_writer& w, const document& d) {
  w.put(std::string_view{d.path});
  w.put(std::string_view{d.layer});
  w.put(std::string_view{d.title});
  w.put(std::string_view{d.description});
  w.put(d.tags);
  w.put(std::string_view{d.status});
  w.put(std::string_view{d.language});
  w.put(static_cast<int32_t>(d.priority));
  w.put(static_cast<uint32_t>(d.sections.size()));
  for (const auto& s : d.sections) {
    w.put(std::string_view{s.id});
    w.put(std::string_view{s.slug});
    w.put(std::string_view{s.heading});
    w.put(s.heading_path);
    w.put(static_cast<int32_t>(s.level));
    w.put(s.line_begin);
    w.put(s.line_end);
    w.put(std::string_view{s.text});
  }
}

document get_document(binary_reader& r) {
  document d;
  d.path = r.get_string();
  d.layer = r.get_string();
  d.title = r.get_string();
  d.description = r.get_string();
  d.tags = r.get_strings();
  d.status = r.get_string();
  d.language = r.get_string();
  d.priority = r.get<int32_t>();
  auto n = r.get<uint32_t>();
  if (!r.plausible_count(n, 32)) return d;
  d.sections.resize(n);
  for (auto& s : d.sections) {
    s.id = r.get_string();
    s.slug = r.get_string();
    s.heading = r.get_string();
    s.heading_path = r.get_strings();
    s.level = r.get<int32_t>();
    s.line_begin = r.get<uint32_t>();
    s.line_end = r.get<uint32_t>();
    s.text = r.get_string();
    if (!r.ok()) break;
  }
  return d;
}

} // namespace

bool read_whole_file(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return false;
  auto size = in.tellg();
  if (size < 0) return false;
  out.resize(static_cast<size_t>(size));
  in.seekg(0);
  return static_cast<bool>(in.read(out.data(), size));
}

fs::path cache_file_for(const fs::path& cache_dir, const fs::path& kb_root) {
  auto key = fnv1a64(kb_root.string());
  char name[64];
  std::snprintf(name, sizeof name, "kb-%016llx.idx", static_cast<unsigned long long>(key));
  return cache_dir / name;
}

namespace {

/// A read-only memory map of a whole file: the cache is read straight from the page cache,
/// without copying tens of megabytes into the heap first.
class mapped_file {
public:
  explicit mapped_file(const fs::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      size_ = static_cast<size_t>(st.st_size);
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      data_ = p == MAP_FAILED ? nullptr : static_cast<const char*>(p);
    }
    ::close(fd);
  }
  ~mapped_file() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  }
  mapped_file(const mapped_file&) = delete;
  mapped_file& operator=(const mapped_file&) = delete;

  explicit operator bool() const { return data_ != nullptr; }
  std::string_view view() const { return {data_, size_}; }

private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

bool same_search_config(const search_config& a, const search_config& b) {
  auto key = [](const search_config& c) {
    return std::tie(c.k1, c.b, c.weight_title, c.weight_headings, c.weight_body, c.weight_tags,
                    c.proximity_bonus);
  };
  return key(a) == key(b);
}

void put_file(binary_writer& w, const kb_file& f) {
  w.put(std::string_view{f.path});
  w.put(f.size);
  w.put(f.mtime_ns);
  w.put(f.ctime_ns);
  w.put(f.inode);
}

kb_file get_file(binary_reader& r) {
  kb_file f;
  f.path = r.get_string();
  f.size = r.get<uint64_t>();
  f.mtime_ns = r.get<int64_t>();
  f.ctime_ns = r.get<int64_t>();
  f.inode = r.get<uint64_t>();
  return f;
}

} // namespace

// Payload layout: entry count; per entry its file, document and problem; the size of the
// analyses block, then one analysis per entry; the size of the index block, then the index.
// Blocks carry their sizes so the fast path can skip the analyses without parsing them.
cache_contents read_index_cache(const fs::path& file, uint64_t fingerprint,
                                const std::vector<kb_file>& scanned, const search_config& search,
                                std::string& why_not) {
  cache_contents out;
  mapped_file mapped(file);
  if (!mapped) {
    why_not = "no cache file";
    return out;
  }
  std::string_view data = mapped.view();
  if (data.size() < magic.size() + 28 || data.substr(0, magic.size()) != magic) {
    why_not = "not a sage index cache";
    return out;
  }
  binary_reader header(data, magic.size());
  auto version = header.get<uint32_t>();
  auto stored_fingerprint = header.get<uint64_t>();
  auto payload_size = header.get<uint64_t>();
  auto checksum = header.get<uint64_t>();
  auto payload = data.substr(header.offset());
  if (version != format_version || stored_fingerprint != fingerprint) {
    why_not = "cache written by another version or configuration";
    return out;
  }
  if (payload.size() != payload_size || fnv1a64(payload) != checksum) {
    why_not = "cache file is corrupt";
    return out;
  }
  auto corrupt = [&] {
    why_not = "cache file is corrupt";
    return cache_contents{};
  };
  binary_reader r(payload);
  auto n = r.get<uint32_t>();
  if (!r.plausible_count(n, 16)) return corrupt();
  std::vector<cache_entry> entries(n);
  for (auto& e : entries) {
    e.file = get_file(r);
    e.doc = get_document(r);
    e.problem = r.get_string();
    if (!r.ok()) return corrupt();
  }
  auto analyses_size = r.get<uint64_t>();
  if (!r.ok() || analyses_size > r.remaining()) return corrupt();
  size_t analyses_at = r.offset();
  r = binary_reader(payload, analyses_at + analyses_size);
  auto index_size = r.get<uint64_t>();
  if (!r.ok() || index_size != r.remaining()) return corrupt();
  size_t index_at = r.offset();

  // The fast path: the scan found exactly the cached files, all unchanged.
  bool unchanged = index_size > 0 && scanned.size() == entries.size();
  for (size_t i = 0; unchanged && i < entries.size(); ++i)
    unchanged = entries[i].file.path == scanned[i].path && entries[i].file.same_version(scanned[i]);
  if (unchanged) {
    size_t offset = index_at;
    auto index = search_index::deserialize(payload, offset);
    if (index && offset == payload.size() && same_search_config(index->config(), search) &&
        index->document_count() == entries.size()) {
      out.index = std::move(*index);
    }
  }
  if (!out.index) {
    size_t offset = analyses_at;
    for (auto& e : entries) {
      auto analysis = deserialize(payload, offset);
      if (!analysis) return corrupt();
      e.analysis = std::move(*analysis);
    }
    if (offset != analyses_at + analyses_size) return corrupt();
  }
  if (!std::is_sorted(entries.begin(), entries.end(),
                      [](const auto& a, const auto& b) { return a.file.path < b.file.path; }))
    return corrupt();
  out.entries = std::move(entries);
  return out;
}

bool write_index_cache(const fs::path& file, uint64_t fingerprint,
                       const std::vector<const cache_entry*>& entries, const search_index& index,
                       std::string& why_not) {
  std::string payload;
  binary_writer w(payload);
  w.put(static_cast<uint32_t>(entries.size()));
  for (const auto* e : entries) {
    put_file(w, e->file);
    put_document(w, e->doc);
    w.put(std::string_view{e->problem});
  }
  auto block_size_at = payload.size();
  w.put(uint64_t{0});
  for (const auto* e : entries)
    serialize(e->analysis, payload);
  uint64_t analyses_size = payload.size() - block_size_at - sizeof(uint64_t);
  std::memcpy(payload.data() + block_size_at, &analyses_size, sizeof analyses_size);
  block_size_at = payload.size();
  w.put(uint64_t{0});
  index.serialize(payload);
  uint64_t index_size = payload.size() - block_size_at - sizeof(uint64_t);
  std::memcpy(payload.data() + block_size_at, &index_size, sizeof index_size);

  std::string data(magic);
  binary_writer h(data);
  h.put(format_version);
  h.put(fingerprint);
  h.put(static_cast<uint64_t>(payload.size()));
  h.put(fnv1a64(payload));
  data += payload;

  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  // A unique temporary name per process, so concurrent writers never interleave; rename is
  // atomic, so readers see the old or the new file, never a mix.
  auto tmp = file;
  tmp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      why_not = "cannot write " + tmp.string();
      return false;
    }
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out.flush()) {
      why_not = "failed to write " + tmp.string();
      fs::remove(tmp, ec);
      return false;
    }
  }
  fs::rename(tmp, file, ec);
  if (ec) {
    why_not = "failed to rename cache file: " + ec.message();
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

} // namespace sage::core
