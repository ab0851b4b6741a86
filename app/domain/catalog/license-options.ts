import type { LicenseType } from "#db/schema/enums";

export interface LicenseOption {
  type: LicenseType;
  label: string;
  summary: string;
  priceCents: number;
}

interface ProductPrices {
  pricePersonalCents: number;
  priceCommercialCents: number | null;
  priceTeamCents: number | null;
  teamSeats: number;
}

/** The licenses a product is sold under, cheapest first; a null price means "not offered". */
export function licenseOptions(product: ProductPrices): LicenseOption[] {
  const options: LicenseOption[] = [
    {
      type: "PERSONAL",
      label: "Personal",
      summary: "For your own projects and portfolio. One person.",
      priceCents: product.pricePersonalCents,
    },
  ];
  if (product.priceCommercialCents !== null) {
    options.push({
      type: "COMMERCIAL",
      label: "Commercial",
      summary: "For client work and products you sell. One person.",
      priceCents: product.priceCommercialCents,
    });
  }
  if (product.priceTeamCents !== null) {
    options.push({
      type: "TEAM",
      label: "Team",
      summary: `Commercial use for up to ${product.teamSeats} people.`,
      priceCents: product.priceTeamCents,
    });
  }
  return options;
}
