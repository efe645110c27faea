#include "persistence/provlog/change.hpp"

namespace sb::persistence {

namespace {

constexpr std::string_view magic = "SBC";

void put_u64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_bytes(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

// Reads from a byte string; every accessor checks bounds and reports the
// first failure once.
class reader {
public:
  explicit reader(std::string_view in)
      : in_(in) {}

  bool u8(uint8_t& v) {
    if (in_.empty())
      return false;
    v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }

  bool u64(uint64_t& v) {
    if (in_.size() < 8)
      return false;
    v = 0;
    for (size_t i = 0; i < 8; ++i)
      v = (v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return true;
  }

  bool varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = 0;
      if (!u8(b))
        return false;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        return true;
    }
    return false; // more than 10 bytes: not a varint we wrote
  }

  bool bytes(std::string& s) {
    uint64_t n = 0;
    if (!varint(n) || n > in_.size())
      return false;
    s.assign(in_.data(), static_cast<size_t>(n));
    in_.remove_prefix(static_cast<size_t>(n));
    return true;
  }

  bool prefix(std::string_view p) {
    if (in_.substr(0, p.size()) != p)
      return false;
    in_.remove_prefix(p.size());
    return true;
  }

  size_t remaining() const { return in_.size(); }

private:
  std::string_view in_;
};

error bad(std::string_view why) {
  return error{"malformed provisioning change: " + std::string(why)};
}

} // namespace

std::string encode_change(const change& c) {
  std::string out;
  out.append(magic);
  out.push_back(static_cast<char>(change_encoding_version));
  put_u64(out, c.position);
  put_u64(out, static_cast<uint64_t>(c.time_ms));
  put_bytes(out, c.origin);
  put_varint(out, c.mutations.size());
  for (const auto& m : c.mutations) {
    put_bytes(out, m.cf);
    put_bytes(out, m.key);
    out.push_back(m.value ? 1 : 0);
    if (m.value)
      put_bytes(out, *m.value);
  }
  return out;
}

result<change> decode_change(std::string_view bytes) {
  reader r(bytes);
  if (!r.prefix(magic))
    return bad("missing 'SBC' header");
  uint8_t version = 0;
  if (!r.u8(version))
    return bad("truncated before the version");
  if (version != change_encoding_version)
    return bad("unsupported encoding version " + std::to_string(version));
  change c;
  uint64_t time = 0;
  if (!r.u64(c.position) || !r.u64(time))
    return bad("truncated header");
  c.time_ms = static_cast<int64_t>(time);
  if (!r.bytes(c.origin))
    return bad("bad origin");
  uint64_t count = 0;
  if (!r.varint(count))
    return bad("bad mutation count");
  // Each mutation takes at least 3 bytes: a lying count cannot make us
  // reserve more than the input could hold.
  if (count > r.remaining() / 3)
    return bad("mutation count " + std::to_string(count) +
               " exceeds the input size");
  c.mutations.reserve(static_cast<size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    mutation m;
    uint8_t kind = 0;
    if (!r.bytes(m.cf) || !r.bytes(m.key) || !r.u8(kind))
      return bad("truncated mutation " + std::to_string(i));
    if (kind > 1)
      return bad("unknown mutation kind " + std::to_string(kind));
    if (kind == 1) {
      std::string v;
      if (!r.bytes(v))
        return bad("truncated value of mutation " + std::to_string(i));
      m.value = std::move(v);
    }
    c.mutations.push_back(std::move(m));
  }
  if (r.remaining() != 0)
    return bad(std::to_string(r.remaining()) + " trailing bytes");
  return c;
}

} // namespace sb::persistence
