#pragma once

#include "common/result.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace sb::mgmt::http {

/// Makes sure a certificate and key exist for the management listener.
/// If both files exist, does nothing (even if they are not self-signed, so
/// an operator's own certificate is never replaced). Otherwise (neither or
/// only one exists) replaces both: generates an EC P-256 key and a self-signed
/// X.509 v3 certificate valid for `days` (from one hour ago, to absorb clock
/// skew): random 159-bit serial, subject and issuer CN=`common_name`,
/// basicConstraints critical CA:FALSE, keyUsage digitalSignature,
/// extendedKeyUsage serverAuth, and a subjectAltName with `common_name` plus
/// every entry of `ip_sans` (entries that parse as an IPv4/IPv6 address become
/// IP SANs, others DNS SANs). Writes the key with mode 0600 and the certificate
/// with 0644, each durably, key first; creates missing parent directories.
status ensure_self_signed_certificate(const std::filesystem::path& cert,
                                      const std::filesystem::path& key,
                                      const std::string& common_name,
                                      const std::vector<std::string>& ip_sans,
                                      int days);

} // namespace sb::mgmt::http
