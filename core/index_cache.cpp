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
constexpr uint32_t format_version = 3;

/// The blocks of a cache file, in file order.
enum : size_t { documents_block, analyses_block, index_block, block_count };

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
/// without copying tens of megabytes into the heap first, and blocks that are not needed are
/// never touched.
class mapped_file {
public:
  explicit mapped_file(const fs::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      size_ = static_cast<size_t>(st.st_size);
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
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

// File layout: magic, format version, parse fingerprint, then the size and checksum of each of
// three blocks, then the blocks: (1) entry count and per entry its file, document and problem;
// (2) one analysis per entry; (3) the serialised index. Each block has its own checksum so the
// fast path reads and checks only the documents and the index, never touching the analyses.
namespace {

/// The blocks of a cache file whose header is sound, with their recorded checksums.
struct cache_layout {
  std::string_view blocks[block_count];
  uint64_t checksums[block_count] = {};

  bool checked(size_t i) const { return fnv1a64(blocks[i]) == checksums[i]; }
};

/// Splits a cache file into its blocks (checksums are not verified here); says why not.
index_cache_state split_blocks(std::string_view data, uint64_t fingerprint, cache_layout& out,
                               std::string& why_not) {
  if (data.size() < magic.size() || data.substr(0, magic.size()) != magic) {
    why_not = "not a sage index cache";
    return index_cache_state::corrupt;
  }
  binary_reader header(data, magic.size());
  auto version = header.get<uint32_t>();
  auto stored_fingerprint = header.get<uint64_t>();
  if (!header.ok() || version != format_version || stored_fingerprint != fingerprint) {
    why_not = "cache written by another version or configuration";
    return index_cache_state::foreign;
  }
  why_not = "cache file is corrupt";
  uint64_t sizes[block_count];
  for (size_t i = 0; i < block_count; ++i) {
    sizes[i] = header.get<uint64_t>();
    out.checksums[i] = header.get<uint64_t>();
  }
  if (!header.ok()) return index_cache_state::corrupt;
  size_t at = header.offset();
  for (size_t i = 0; i < block_count; ++i) {
    if (sizes[i] > data.size() - at) return index_cache_state::corrupt;
    out.blocks[i] = data.substr(at, sizes[i]);
    at += sizes[i];
  }
  if (at != data.size()) return index_cache_state::corrupt;
  why_not.clear();
  return index_cache_state::sound;
}

} // namespace

index_cache_state inspect_index_cache(const fs::path& file, uint64_t fingerprint,
                                      std::string& why_not) {
  mapped_file mapped(file);
  if (!mapped) {
    why_not = "no cache file";
    return index_cache_state::missing;
  }
  cache_layout layout;
  auto state = split_blocks(mapped.view(), fingerprint, layout, why_not);
  if (state != index_cache_state::sound) return state;
  const char* names[block_count] = {"documents", "analyses", "index"};
  for (size_t i = 0; i < block_count; ++i)
    if (!layout.checked(i)) {
      why_not = std::string("cache file is corrupt: its ") + names[i] +
                " block does not match its checksum";
      return index_cache_state::corrupt;
    }
  return index_cache_state::sound;
}

cache_contents read_index_cache(const fs::path& file, uint64_t fingerprint,
                                const std::vector<kb_file>& scanned, const search_config& search,
                                std::string& why_not) {
  cache_contents out;
  mapped_file mapped(file);
  if (!mapped) {
    why_not = "no cache file";
    return out;
  }
  cache_layout layout;
  if (split_blocks(mapped.view(), fingerprint, layout, why_not) != index_cache_state::sound)
    return out;
  auto corrupt = [&] {
    why_not = "cache file is corrupt";
    return cache_contents{};
  };
  const auto& blocks = layout.blocks;
  auto checked = [&](size_t i) { return layout.checked(i); };

  if (!checked(documents_block)) return corrupt();
  binary_reader r(blocks[documents_block]);
  auto n = r.get<uint32_t>();
  if (!r.plausible_count(n, 16)) return corrupt();
  std::vector<cache_entry> entries(n);
  for (auto& e : entries) {
    e.file = get_file(r);
    e.doc = get_document(r);
    e.problem = r.get_string();
    if (!r.ok()) return corrupt();
  }
  if (r.remaining() != 0 ||
      !std::is_sorted(entries.begin(), entries.end(),
                      [](const auto& a, const auto& b) { return a.file.path < b.file.path; }))
    return corrupt();

  // The fast path: the scan found exactly the cached files, all unchanged.
  bool unchanged = !blocks[index_block].empty() && scanned.size() == entries.size();
  for (size_t i = 0; unchanged && i < entries.size(); ++i)
    unchanged = entries[i].file.path == scanned[i].path && entries[i].file.same_version(scanned[i]);
  if (unchanged && checked(index_block)) {
    size_t offset = 0;
    auto index = search_index::deserialize(blocks[index_block], offset);
    if (index && offset == blocks[index_block].size() &&
        same_search_config(index->config(), search) && index->document_count() == n)
      out.index = std::move(*index);
  }
  if (!out.index) {
    if (!checked(analyses_block)) return corrupt();
    size_t offset = 0;
    for (auto& e : entries) {
      auto analysis = deserialize(blocks[analyses_block], offset);
      if (!analysis) return corrupt();
      e.analysis = std::move(*analysis);
    }
    if (offset != blocks[analyses_block].size()) return corrupt();
  }
  out.entries = std::move(entries);
  return out;
}

bool write_index_cache(const fs::path& file, uint64_t fingerprint,
                       const std::vector<const cache_entry*>& entries, const search_index& index,
                       std::string& why_not) {
  std::string blocks[block_count];
  binary_writer w(blocks[documents_block]);
  w.put(static_cast<uint32_t>(entries.size()));
  for (const auto* e : entries) {
    put_file(w, e->file);
    put_document(w, e->doc);
    w.put(std::string_view{e->problem});
  }
  for (const auto* e : entries)
    serialize(e->analysis, blocks[analyses_block]);
  index.serialize(blocks[index_block]);

  std::string data(magic);
  binary_writer h(data);
  h.put(format_version);
  h.put(fingerprint);
  for (const auto& b : blocks) {
    h.put(static_cast<uint64_t>(b.size()));
    h.put(fnv1a64(b));
  }
  for (const auto& b : blocks)
    data += b;

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
