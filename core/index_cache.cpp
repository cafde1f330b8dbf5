// The on-disk index cache.
// SPDX-License-Identifier: MIT
#include "core/index_cache.hpp"

#include "core/binary_io.hpp"

#include <fstream>
#include <sstream>
#include <unistd.h>

namespace sage::core {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view magic = "SAGEIDX\x01";
constexpr uint32_t format_version = 1;

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
  if (!r.plausible_count(n, 32))
    return d;
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
    if (!r.ok())
      break;
  }
  return d;
}

} // namespace

bool read_whole_file(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in)
    return false;
  auto size = in.tellg();
  if (size < 0)
    return false;
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

std::unordered_map<std::string, cache_entry> read_index_cache(const fs::path& file,
                                                              uint64_t fingerprint,
                                                              std::string& why_not) {
  std::unordered_map<std::string, cache_entry> out;
  std::string data;
  if (!read_whole_file(file, data)) {
    why_not = "no cache file";
    return out;
  }
  if (data.size() < magic.size() + 28 || std::string_view(data).substr(0, magic.size()) != magic) {
    why_not = "not a sage index cache";
    return out;
  }
  binary_reader header(data, magic.size());
  auto version = header.get<uint32_t>();
  auto stored_fingerprint = header.get<uint64_t>();
  auto payload_size = header.get<uint64_t>();
  auto checksum = header.get<uint64_t>();
  auto payload = std::string_view(data).substr(header.offset());
  if (version != format_version || stored_fingerprint != fingerprint) {
    why_not = "cache written by another version or configuration";
    return out;
  }
  if (payload.size() != payload_size || fnv1a64(payload) != checksum) {
    why_not = "cache file is corrupt";
    return out;
  }
  binary_reader r(payload);
  auto n = r.get<uint32_t>();
  if (!r.plausible_count(n, 16)) {
    why_not = "cache file is corrupt";
    return out;
  }
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    cache_entry e;
    e.file.path = r.get_string();
    e.file.size = r.get<uint64_t>();
    e.file.mtime_ns = r.get<int64_t>();
    e.file.ctime_ns = r.get<int64_t>();
    e.file.inode = r.get<uint64_t>();
    e.doc = get_document(r);
    e.problem = r.get_string();
    if (!r.ok())
      break;
    size_t offset = r.offset();
    auto analysis = deserialize(payload, offset);
    if (!analysis) {
      why_not = "cache file is corrupt";
      return {};
    }
    e.analysis = std::move(*analysis);
    r = binary_reader(payload, offset);
    auto key = e.file.path;
    out.emplace(std::move(key), std::move(e));
  }
  if (!r.ok() || r.remaining() != 0) {
    why_not = "cache file is corrupt";
    return {};
  }
  return out;
}

bool write_index_cache(const fs::path& file, uint64_t fingerprint,
                       const std::vector<const cache_entry*>& entries, std::string& why_not) {
  std::string payload;
  binary_writer w(payload);
  w.put(static_cast<uint32_t>(entries.size()));
  for (const auto* e : entries) {
    w.put(std::string_view{e->file.path});
    w.put(e->file.size);
    w.put(e->file.mtime_ns);
    w.put(e->file.ctime_ns);
    w.put(e->file.inode);
    put_document(w, e->doc);
    w.put(std::string_view{e->problem});
    serialize(e->analysis, payload);
  }
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
