/** What one tunnel's sealed entry holds. */
export interface TunnelSecrets {
  privateKey: string;
  /** By the peer's public key. */
  presharedKeys: Record<string, string>;
}

export const encodeTunnelSecrets = (s: TunnelSecrets) => JSON.stringify(s);

/** Entries written before preshared keys were sealed hold the bare private key (base64, never `{`). */
export function decodeTunnelSecrets(text: string): TunnelSecrets {
  if (!text.startsWith('{')) return { privateKey: text, presharedKeys: {} };
  const v = JSON.parse(text) as Partial<TunnelSecrets>;
  if (typeof v.privateKey !== 'string' || typeof v.presharedKeys !== 'object' || v.presharedKeys === null)
    throw new Error('A tunnel secret has an unknown shape');
  return { privateKey: v.privateKey, presharedKeys: v.presharedKeys };
}
