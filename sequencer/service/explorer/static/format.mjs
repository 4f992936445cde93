// Numbers as sequencer/service/explorer/units.py shows them, for the pages'
// scripts (explorer.js, trade.mjs): amounts in tokens, prices in quote
// tokens per base token, commas in the integer part.

export const PRICE_SCALE = 10n ** 18n;
export const PLACES = 8;

/** numerator / denominator rounded down to `places` decimals, no trailing zeros, commas in the integer part. */
export function decimalText(numerator, denominator, places = PLACES) {
  const unit = 10n ** BigInt(places);
  const scaled = (BigInt(numerator) * unit) / BigInt(denominator);
  const fraction = (scaled % unit).toString().padStart(places, "0").replace(/0+$/, "");
  const grouped = (scaled / unit).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction ? `${grouped}.${fraction}` : grouped;
}

/** `value` base units of a token of `decimals` decimals, in tokens. */
export function tokenAmount(value, decimals, places = PLACES) {
  return decimalText(value, 10n ** BigInt(decimals), places);
}

/** A price (quote units per base unit, times 10^18) in quote tokens per base token. */
export function priceText(price, baseDecimals, quoteDecimals) {
  return decimalText(BigInt(price) * 10n ** BigInt(baseDecimals), PRICE_SCALE * 10n ** BigInt(quoteDecimals));
}
