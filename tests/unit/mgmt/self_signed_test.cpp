#include "mgmt/http/self_signed.hpp"

#include "common/fs.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <sys/stat.h>

#include <ctime>
#include <memory>
#include <set>

using namespace sb::mgmt::http;

namespace {

struct x509_free_fn {
  void operator()(X509* x) const { X509_free(x); }
};
struct pkey_free_fn {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::unique_ptr<X509, x509_free_fn> load_cert(const std::filesystem::path& p) {
  auto text = sb::fs::read_file(p);
  REQUIRE(text);
  auto* bio = BIO_new_mem_buf(text->data(), static_cast<int>(text->size()));
  std::unique_ptr<X509, x509_free_fn> x{
      PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)};
  BIO_free(bio);
  return x;
}

std::unique_ptr<EVP_PKEY, pkey_free_fn>
load_key(const std::filesystem::path& p) {
  auto text = sb::fs::read_file(p);
  REQUIRE(text);
  auto* bio = BIO_new_mem_buf(text->data(), static_cast<int>(text->size()));
  std::unique_ptr<EVP_PKEY, pkey_free_fn> k{
      PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr)};
  BIO_free(bio);
  return k;
}

// SANs as "IP:a.b.c.d" / "DNS:name".
std::set<std::string> sans_of(X509* x) {
  std::set<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
  REQUIRE(names);
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    auto* gen = sk_GENERAL_NAME_value(names, i);
    if (gen->type == GEN_DNS) {
      auto* s = gen->d.dNSName;
      out.insert("DNS:" + std::string(reinterpret_cast<const char*>(
                                          ASN1_STRING_get0_data(s)),
                                      ASN1_STRING_length(s)));
    } else if (gen->type == GEN_IPADD) {
      auto* ip = gen->d.iPAddress;
      char txt[INET6_ADDRSTRLEN] = {};
      auto family = ASN1_STRING_length(ip) == 4 ? AF_INET : AF_INET6;
      REQUIRE(::inet_ntop(family, ASN1_STRING_get0_data(ip), txt, sizeof(txt)));
      out.insert("IP:" + std::string(txt));
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

} // namespace

TEST_CASE("cert: generates a usable self-signed certificate", "[cert]") {
  sb::test::temp_dir dir("sb-cert");
  auto cert = dir.path() / "tls" / "mgmt.crt";
  auto key = dir.path() / "tls" / "mgmt.key";
  REQUIRE(ensure_self_signed_certificate(cert, key, "node1.example.test",
                                         {"127.0.0.1", "::1", "alt.test"}, 30));
  CHECK(mode_of(key) == 0600);
  CHECK(mode_of(cert) == 0644);

  auto x = load_cert(cert);
  auto k = load_key(key);
  REQUIRE(x);
  REQUIRE(k);
  CHECK(X509_get_version(x.get()) == X509_VERSION_3);
  CHECK(X509_check_private_key(x.get(), k.get()) == 1);
  CHECK(EVP_PKEY_is_a(k.get(), "EC"));
  // Self-signed: the signature verifies with its own key.
  CHECK(X509_verify(x.get(), k.get()) == 1);
  CHECK(X509_NAME_cmp(X509_get_subject_name(x.get()),
                      X509_get_issuer_name(x.get())) == 0);

  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(x.get()), NID_commonName, cn,
                            sizeof(cn));
  CHECK(std::string(cn) == "node1.example.test");
  CHECK(sans_of(x.get()) == std::set<std::string>{"DNS:node1.example.test",
                                                  "IP:127.0.0.1", "IP:::1",
                                                  "DNS:alt.test"});
  CHECK(X509_check_ip_asc(x.get(), "127.0.0.1", 0) == 1);
  CHECK(X509_check_host(x.get(), "alt.test", 0, 0, nullptr) == 1);

  // Valid now, still valid in 29 days, expired in 31.
  auto now = std::time(nullptr);
  CHECK(X509_cmp_time(X509_get0_notBefore(x.get()), &now) < 0);
  std::time_t in29 = now + 29 * 86400, in31 = now + 31 * 86400;
  CHECK(X509_cmp_time(X509_get0_notAfter(x.get()), &in29) > 0);
  CHECK(X509_cmp_time(X509_get0_notAfter(x.get()), &in31) < 0);

  auto* bc = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(x.get(), NID_basic_constraints, nullptr, nullptr));
  REQUIRE(bc);
  CHECK(bc->ca == 0);
  BASIC_CONSTRAINTS_free(bc);
  CHECK(X509_check_purpose(x.get(), X509_PURPOSE_SSL_SERVER, 0) == 1);
}

TEST_CASE("cert: serials are random", "[cert]") {
  sb::test::temp_dir dir("sb-cert");
  REQUIRE(
      ensure_self_signed_certificate(dir / "a.crt", dir / "a.key", "n", {}, 1));
  REQUIRE(
      ensure_self_signed_certificate(dir / "b.crt", dir / "b.key", "n", {}, 1));
  auto a = load_cert(dir / "a.crt");
  auto b = load_cert(dir / "b.crt");
  CHECK(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.get()),
                         X509_get0_serialNumber(b.get())) != 0);
}

TEST_CASE("cert: existing files are kept, a lone file is replaced", "[cert]") {
  sb::test::temp_dir dir("sb-cert");
  auto cert = dir / "c.pem";
  auto key = dir / "k.pem";
  REQUIRE(ensure_self_signed_certificate(cert, key, "n", {"10.0.0.1"}, 5));
  auto before = sb::fs::read_file(cert);
  REQUIRE(ensure_self_signed_certificate(cert, key, "other", {}, 9));
  CHECK(sb::fs::read_file(cert).value() == before.value());

  std::filesystem::remove(cert);
  REQUIRE(ensure_self_signed_certificate(cert, key, "n", {}, 5));
  auto x = load_cert(cert);
  auto k = load_key(key);
  REQUIRE(x);
  CHECK(X509_check_private_key(x.get(), k.get()) == 1);
}

TEST_CASE("cert: bad arguments are errors", "[cert]") {
  sb::test::temp_dir dir("sb-cert");
  CHECK_FALSE(ensure_self_signed_certificate(dir / "c", dir / "k", "", {}, 5));
  CHECK_FALSE(ensure_self_signed_certificate(dir / "c", dir / "k", "n", {}, 0));
  CHECK_FALSE(std::filesystem::exists(dir / "k"));
}
