import { packageConfig } from '../../tsup.base.mjs';
export default packageConfig({ entry: ['src/index.ts', 'src/draft.ts'] });
