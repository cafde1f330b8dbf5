// The analysed terms of one document: analysis, validation and the binary cache format.
// SPDX-License-Identifier: MIT
#include "core/analyzed_document.hpp"

#include "core/term_dictionary.hpp"

namespace sage::core {

std::span<const uint32_t> analyzed_document::terms(size_t section, search_field f) const {
  switch (f) {
  case search_field::title:
    return title();
  case search_field::tags:
    return tags();
  case search_field::headings:
    return headings(section);
  case search_field::body:
    return body(section);
  }
  return {};
}

bool analyzed_document::valid() const {
  uint32_t previous = 0;
  for (auto end : vocabulary_ends) {
    if (end < previous) return false;
    previous = end;
  }
  if (previous != vocabulary.size()) return false;
  if (bounds.size() < 3 || bounds.size() % 2 == 0 || bounds.front() != 0 ||
      bounds.back() != ids.size())
    return false;
  for (size_t i = 1; i < bounds.size(); ++i)
    if (bounds[i] < bounds[i - 1]) return false;
  const auto terms = vocabulary_ends.size();
  for (auto id : ids)
    if (id >= terms) return false;
  return true;
}

analyzed_document analyze(const document& doc, analyzer& az) {
  analyzed_document out;
  out.language = doc.language.empty() ? std::string{"en"} : doc.language;
  size_t bytes = doc.title.size();
  for (const auto& sec : doc.sections)
    bytes += sec.text.size();
  term_dictionary vocab;
  vocab.reserve(bytes / 16 + 16, bytes / 4 + 64);
  out.ids.reserve(bytes / 5 + 16);
  auto add = [&](std::string_view text) { az.analyze(text, out.language, vocab, out.ids); };
  auto close = [&] { out.bounds.push_back(static_cast<uint32_t>(out.ids.size())); };
  out.bounds.reserve(3 + 2 * doc.sections.size());
  out.bounds.push_back(0);
  add(doc.title);
  close();
  for (const auto& tag : doc.tags)
    add(tag);
  close();
  for (const auto& sec : doc.sections) {
    for (const auto& heading : sec.heading_path)
      add(heading);
    close();
    add(sec.text);
    close();
  }
  out.vocabulary.reserve(vocab.bytes());
  out.vocabulary_ends.reserve(vocab.size());
  for (uint32_t id = 0; id < vocab.size(); ++id) {
    out.vocabulary.append(vocab.term(id));
    out.vocabulary_ends.push_back(static_cast<uint32_t>(out.vocabulary.size()));
  }
  return out;
}

// -- binary format --------------------------------------------------------------------------------
//
//   varint version
//   varint language size, bytes
//   varint term count, then per term: varint size, bytes
//   varint sequence count (3 + 2 * sections), then per sequence: varint length
//   the ids of all sequences as varints

namespace {

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_bytes(std::string& out, std::string_view bytes) {
  put_varint(out, bytes.size());
  out.append(bytes);
}

// Bounds-checked reading of the format above.
class reader {
public:
  reader(std::string_view data, size_t offset) : data_(data), pos_(offset) {}

  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  bool u32(uint32_t& v) {
    uint64_t x = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (pos_ >= data_.size()) return false;
      const auto byte = static_cast<uint8_t>(data_[pos_++]);
      x |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) {
        if (x > UINT32_MAX) return false;
        v = static_cast<uint32_t>(x);
        return true;
      }
    }
    return false;
  }

  bool bytes(std::string_view& out) {
    uint32_t size = 0;
    if (!u32(size) || size > remaining()) return false;
    out = data_.substr(pos_, size);
    pos_ += size;
    return true;
  }

  // A count of items that take at least one byte each cannot exceed the bytes left.
  bool count(uint32_t& n) { return u32(n) && n <= remaining(); }

private:
  std::string_view data_;
  size_t pos_;
};

error corrupt(std::string detail) {
  return make_error(error_code::parse, "failed to read cached analysis: " + std::move(detail),
                    "delete the index cache to rebuild it");
}

} // namespace

void serialize(const analyzed_document& doc, std::string& out) {
  put_varint(out, analysis_format_version);
  put_bytes(out, doc.language);
  put_varint(out, doc.term_count());
  for (uint32_t id = 0; id < doc.term_count(); ++id)
    put_bytes(out, doc.term(id));
  const size_t sequences = doc.bounds.empty() ? 0 : doc.bounds.size() - 1;
  put_varint(out, sequences);
  for (size_t i = 0; i < sequences; ++i)
    put_varint(out, doc.bounds[i + 1] - doc.bounds[i]);
  for (auto id : doc.ids)
    put_varint(out, id);
}

result<analyzed_document> deserialize(std::string_view data, size_t& offset) {
  if (offset > data.size()) return corrupt("offset past the end");
  reader in{data, offset};
  uint32_t version = 0;
  if (!in.u32(version)) return corrupt("truncated header");
  if (version != analysis_format_version)
    return corrupt("unsupported version " + std::to_string(version));
  analyzed_document doc;
  std::string_view bytes;
  if (!in.bytes(bytes)) return corrupt("truncated language");
  doc.language.assign(bytes);
  uint32_t terms = 0;
  if (!in.count(terms)) return corrupt("bad term count");
  doc.vocabulary_ends.reserve(terms);
  for (uint32_t i = 0; i < terms; ++i) {
    if (!in.bytes(bytes)) return corrupt("truncated vocabulary");
    doc.vocabulary.append(bytes);
    doc.vocabulary_ends.push_back(static_cast<uint32_t>(doc.vocabulary.size()));
  }
  uint32_t sequences = 0;
  if (!in.count(sequences) || sequences < 2 || sequences % 2 != 0)
    return corrupt("bad section count");
  doc.bounds.reserve(sequences + 1);
  doc.bounds.push_back(0);
  uint64_t total = 0;
  for (uint32_t i = 0; i < sequences; ++i) {
    uint32_t length = 0;
    if (!in.u32(length)) return corrupt("truncated sequence lengths");
    total += length;
    if (total > in.remaining()) return corrupt("sequence longer than the data");
    doc.bounds.push_back(static_cast<uint32_t>(total));
  }
  doc.ids.reserve(total);
  for (uint64_t i = 0; i < total; ++i) {
    uint32_t id = 0;
    if (!in.u32(id)) return corrupt("truncated term ids");
    if (id >= terms) return corrupt("term id out of range");
    doc.ids.push_back(id);
  }
  offset = in.pos();
  return doc;
}

} // namespace sage::core
