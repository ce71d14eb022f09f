// pnpm hooks (pnpm >= 10.28). Only beforePacking: it edits the package.json that goes
// into a tarball (`pnpm pack`, `pnpm publish`, `changeset publish`), never the file on disk.
//
// devDependencies are dropped from published manifests: they mean nothing to a consumer,
// and some name private workspace projects that are not on the registry
// (@monocoque/test-support). docs/releasing.md explains; tools/release/check.mjs verifies.
module.exports = {
  hooks: {
    beforePacking(pkg) {
      delete pkg.devDependencies;
      return pkg;
    },
  },
};
