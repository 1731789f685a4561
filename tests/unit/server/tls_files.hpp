// For the TLS tests: a temporary directory and a self-signed certificate (its own CA) for localhost and
// 127.0.0.1, with its key, made through OpenSSL's API.
#pragma once

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace igw::server::testing {

namespace fs = std::filesystem;

// A directory of its own for the test's files, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    static int n = 0;
    path = fs::temp_directory_path() /
           ("igw-test-tls-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, std::string_view text) const {
    auto p = path / name;
    std::ofstream{p} << text;
    return p.string();
  }
};

// A self-signed certificate for localhost and 127.0.0.1 (its own CA) and its key, as PEM files in `dir`.
struct SelfSigned {
  std::string cert, key;
};

inline SelfSigned make_self_signed(const TempDir& dir, const std::string& stem) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{EVP_EC_gen("P-256"), EVP_PKEY_free};
  REQUIRE(key);
  std::unique_ptr<X509, decltype(&X509_free)> x{X509_new(), X509_free};
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600);
  X509_set_pubkey(x.get(), key.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"),
                             -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x.get(), x.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    REQUIRE(ext);
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  REQUIRE(X509_sign(x.get(), key.get(), EVP_sha256()) > 0);
  SelfSigned out{(dir.path / (stem + ".crt")).string(), (dir.path / (stem + ".key")).string()};
  FILE* f = std::fopen(out.cert.c_str(), "w");
  REQUIRE(f);
  PEM_write_X509(f, x.get());
  std::fclose(f);
  f = std::fopen(out.key.c_str(), "w");
  REQUIRE(f);
  PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  return out;
}

}  // namespace igw::server::testing
