#include "mgmt/http/self_signed.hpp"

#include "common/fs.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <system_error>

namespace sb::mgmt::http {

namespace {

template <class T, void (*Free)(T*)>
struct ossl_deleter {
  void operator()(T* p) const noexcept { Free(p); }
};
template <class T, void (*Free)(T*)>
using ossl_ptr = std::unique_ptr<T, ossl_deleter<T, Free>>;

using pkey_ptr = ossl_ptr<EVP_PKEY, EVP_PKEY_free>;
using pkey_ctx_ptr = ossl_ptr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using x509_ptr = ossl_ptr<X509, X509_free>;
using bn_ptr = ossl_ptr<BIGNUM, BN_free>;
using gen_names_ptr = ossl_ptr<GENERAL_NAMES, GENERAL_NAMES_free>;
using ext_ptr = ossl_ptr<X509_EXTENSION, X509_EXTENSION_free>;

void bio_free(BIO* b) {
  BIO_free(b);
}
using bio_ptr = ossl_ptr<BIO, bio_free>;

error openssl_error(const std::string& what) {
  std::string detail;
  while (auto code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    detail = buf; // the last one is the most specific
  }
  return error{what + (detail.empty() ? "" : ": " + detail)};
}

result<pkey_ptr> generate_key() {
  pkey_ctx_ptr ctx{EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr)};
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") <= 0)
    return openssl_error("cannot set up EC P-256 key generation");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) <= 0)
    return openssl_error("cannot generate EC P-256 key");
  return pkey_ptr{raw};
}

status add_conf_ext(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ext_ptr ext{X509V3_EXT_conf_nid(nullptr, &ctx, nid, value)};
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    return openssl_error(std::string("cannot add extension ") + value);
  return {};
}

status add_name(GENERAL_NAMES* names, const std::string& entry) {
  auto* gen = GENERAL_NAME_new();
  if (!gen)
    return openssl_error("out of memory");
  if (auto* ip = a2i_IPADDRESS(entry.c_str())) {
    GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
  } else {
    ERR_clear_error(); // not an address: a DNS name
    auto* dns = ASN1_IA5STRING_new();
    if (!dns || ASN1_STRING_set(dns, entry.data(),
                                static_cast<int>(entry.size())) != 1) {
      ASN1_IA5STRING_free(dns);
      GENERAL_NAME_free(gen);
      return openssl_error("cannot encode SAN " + entry);
    }
    GENERAL_NAME_set0_value(gen, GEN_DNS, dns);
  }
  sk_GENERAL_NAME_push(names, gen);
  return {};
}

status add_sans(X509* cert, const std::string& common_name,
                const std::vector<std::string>& sans) {
  gen_names_ptr names{sk_GENERAL_NAME_new_null()};
  if (!names)
    return openssl_error("out of memory");
  std::vector<std::string> entries{common_name};
  for (const auto& s : sans)
    if (s != common_name)
      entries.push_back(s);
  for (const auto& e : entries)
    if (auto st = add_name(names.get(), e); !st)
      return st;
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0,
                        X509V3_ADD_DEFAULT) != 1)
    return openssl_error("cannot add subjectAltName");
  return {};
}

result<x509_ptr> make_certificate(EVP_PKEY* key, const std::string& cn,
                                  const std::vector<std::string>& sans,
                                  int days) {
  x509_ptr cert{X509_new()};
  bn_ptr serial{BN_new()};
  if (!cert || !serial)
    return openssl_error("out of memory");
  // 159 bits keeps the DER integer positive and within RFC 5280's 20 bytes.
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      (BN_is_zero(serial.get()) && BN_one(serial.get()) != 1) ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
    return openssl_error("cannot set version and serial");
  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
      !X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr))
    return openssl_error("cannot set validity");
  auto* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 ||
      X509_set_pubkey(cert.get(), key) != 1)
    return openssl_error("cannot set subject or public key");
  for (auto [nid, value] :
       {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
        std::pair{NID_key_usage, "critical,digitalSignature"},
        std::pair{NID_ext_key_usage, "serverAuth"},
        std::pair{NID_subject_key_identifier, "hash"}})
    if (auto st = add_conf_ext(cert.get(), nid, value); !st)
      return st.err();
  if (auto st = add_sans(cert.get(), cn, sans); !st)
    return st.err();
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0)
    return openssl_error("cannot sign certificate");
  return cert;
}

template <class Write>
result<std::string> to_pem(Write write) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  if (!bio || write(bio.get()) != 1)
    return openssl_error("cannot encode PEM");
  char* data = nullptr;
  auto len = BIO_get_mem_data(bio.get(), &data);
  std::string out(data, static_cast<size_t>(len));
  // The key's PEM also sits in the BIO's buffer; wipe it before freeing.
  if (len > 0)
    OPENSSL_cleanse(data, static_cast<size_t>(len));
  return out;
}

status prepare_dir(const std::filesystem::path& file) {
  std::error_code ec;
  auto dir = file.parent_path();
  if (!dir.empty())
    std::filesystem::create_directories(dir, ec);
  if (ec)
    return error{"cannot create directory " + dir.string() + ": " +
                 ec.message()};
  // A stale temporary would keep its old, possibly wider, mode.
  auto tmp = file;
  tmp += ".tmp";
  std::filesystem::remove(tmp, ec);
  return {};
}

} // namespace

status ensure_self_signed_certificate(const std::filesystem::path& cert,
                                      const std::filesystem::path& key,
                                      const std::string& common_name,
                                      const std::vector<std::string>& ip_sans,
                                      int days) {
  std::error_code ec;
  if (std::filesystem::exists(cert, ec) && std::filesystem::exists(key, ec))
    return {};
  if (common_name.empty())
    return error{"self-signed certificate: empty common name"};
  if (days <= 0)
    return error{"self-signed certificate: validity must be at least a day"};
  ERR_clear_error();
  auto pkey = generate_key();
  if (!pkey)
    return pkey.err();
  auto x509 = make_certificate(pkey->get(), common_name, ip_sans, days);
  if (!x509)
    return x509.err();
  auto key_pem = to_pem([&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, pkey->get(), nullptr, nullptr, 0,
                                    nullptr, nullptr);
  });
  if (!key_pem)
    return key_pem.err();
  auto cert_pem =
      to_pem([&](BIO* b) { return PEM_write_bio_X509(b, x509->get()); });
  if (!cert_pem)
    return cert_pem.err();
  for (const auto* p : {&key, &cert})
    if (auto st = prepare_dir(*p); !st)
      return st;
  // Key first: a crash in between leaves a key without a certificate, which
  // the next call regenerates.
  auto st = sb::fs::write_file_durably(key, *key_pem, 0600);
  OPENSSL_cleanse(key_pem->data(), key_pem->size());
  if (!st)
    return st;
  return sb::fs::write_file_durably(cert, *cert_pem, 0644);
}

} // namespace sb::mgmt::http
