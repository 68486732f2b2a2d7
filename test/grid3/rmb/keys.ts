/** Test-only mnemonics (public BIP39 / Substrate development vectors: never funded, never secret). */
export const MNEMONIC_A = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
export const MNEMONIC_B = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
export const MNEMONIC_C = 'letter advice cage absurd amount doctor acoustic avoid letter advice cage above';
