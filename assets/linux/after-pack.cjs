'use strict';
// electron-builder afterPack hook (electron-builder.yml): the runAsNode fuse, per platform. electronFuses
// in the yml is one setting for every platform and is flipped after this hook, so it leaves runAsNode out.
//
// Linux: on. The deb/rpm helper unit runs the helper's bundle with this binary as Node
// (ELECTRON_RUN_AS_NODE=1, as root, from root-owned files): a Node whose version is the one we test, where
// the distributions' nodejs is older than engines asks. What the fuse re-enables: anyone who can run the
// binary can run it as a plain Node, as themselves. That gives them nothing they did not have: the binary
// is not setuid and has no capabilities, they could run any Node or program as that user already, and on
// Linux the keyring (libsecret) and the files trust the user, not the binary that asks.
//
// macOS and Windows: off. There the binary's identity is worth something (macOS: the Keychain item for
// safeStorage and the TCC permissions are granted to the signed app, not the user), and a Node running as
// that binary would inherit them; and nothing there runs it as Node.
exports.runAsNode = (platform) => platform === 'linux';

exports.default = async function afterPack(context) {
  const packager = context.packager;
  const fuses = await packager.generateFuseConfig({ runAsNode: exports.runAsNode(context.electronPlatformName) });
  await packager.addElectronFuses(context, fuses);
};
