// Writes the deb/rpm maintainer scripts that install and remove the helper from the one source of their
// text (src/helper/units.ts); test/helper/units.test.ts fails when the committed files differ.
import { writeFileSync } from 'node:fs';
import { packageAfterInstall, packageAfterRemove } from '../src/helper/units.js';

writeFileSync('assets/linux/after-install.sh', packageAfterInstall(), { mode: 0o755 });
writeFileSync('assets/linux/after-remove.sh', packageAfterRemove(), { mode: 0o755 });
