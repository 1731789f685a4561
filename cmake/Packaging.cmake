# `cmake --install` and the Debian package: the binary, the shell completions and the man page, where
# bash-completion, zsh, fish and man look. completions/ and man/ hold generated copies
# (scripts/update-completions; tests/e2e/test_completion.sh keeps them in sync), so installing never runs igw.
#   cmake --install build --prefix /usr/local
#   cpack --config build/CPackConfig.cmake -B dist    # dist/igw_<version>_<arch>.deb from the existing build
include(GNUInstallDirs)

install(TARGETS igw RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES completions/igw.bash RENAME igw DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES completions/_igw DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES completions/igw.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(DIRECTORY man/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 FILES_MATCHING PATTERN "*.1")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME igw)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "igw")
set(CPACK_PACKAGE_CONTACT "igw maintainers <igw@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "OpenAI-compatible LLM inference gateway with first-class observability, and its operator toolkit")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # igw_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Runtime dependencies: from the binary's shared libraries when dpkg-shlibdeps is there, else Debian 12's.
find_program(IGW_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(IGW_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  # The owners of the binary's NEEDED libraries (readelf -d build/cli/igw; dpkg -S each).
  string(JOIN ", " CPACK_DEBIAN_PACKAGE_DEPENDS libc6 libstdc++6 libgcc-s1 libssl3 libfmt9 libsimdjson14
         libprometheus-cpp-core1.0 libnghttp2-14 zlib1g libcpp-httplib0.11 libyaml-cpp0.7)
endif()
# No install step depends on `all`: packaging takes the build as it is (build igw first), never rebuilds it.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
include(CPack)
