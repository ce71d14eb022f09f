{
  "variables": {
    # 1 links liburing statically (the prebuilt addon shipped in the package needs only glibc);
    # 0 links the system's liburing.so (a build made at install time on the user's machine).
    "static_liburing%": 0
  },
  "targets": [
    {
      "target_name": "monocoque_uring",
      "sources": ["src/uring.cc"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=gnu++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fno-exceptions"],
      "conditions": [
        ["static_liburing==1", { "libraries": ["-l:liburing.a"], "ldflags": ["-Wl,--exclude-libs,ALL", "-static-libstdc++", "-static-libgcc", "-s"] }, { "libraries": ["-luring"] }]
      ]
    }
  ]
}
