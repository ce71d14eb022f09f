import { packageConfig } from '../../tsup.base.mjs';
// `shims` gives the CJS build an import.meta.url (the sodium-native loader uses createRequire with it).
export default packageConfig({ entry: ['src/index.ts', 'src/register.ts'], shims: true });
