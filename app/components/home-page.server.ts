import { TIER_ORDER, TIERS } from "~/domain/memberships/tiers";
import { formatMoney } from "~/domain/money";
import { SERVICE_CATEGORY_LABELS } from "~/domain/projects/labels";
import type { ServiceCategory } from "#db/schema/enums";

// The other server functions the route uses, so the browser build sees one empty module.
export { productCardView } from "./product-card.server";
export { keptCatalogRead, publicPageData, publicPageHeaders } from "~/request/page-cache.server";
export { listFeaturedProducts } from "~/services/catalog.server";

/**
 * The home page's words, for its loader. A `.server` module so the tier table, the label tables
 * and the money formatter stay out of the browser bundle (see ./product-card.server).
 */

/** The studio's services, named like the project request form's categories. */
export const homeServices = <T extends { category: ServiceCategory }>(services: readonly T[]) =>
  services.map((service) => ({ ...service, label: SERVICE_CATEGORY_LABELS[service.category] }));

/** The membership plans, with prices in words. */
export const homeTiers = () =>
  TIER_ORDER.map((tier) => {
    const config = TIERS[tier];
    return {
      tier,
      name: config.name,
      price: formatMoney(config.priceCents, config.currency),
      periodDays: config.periodDays,
      summary: config.summary,
      creditsPerPeriod: config.creditsPerPeriod,
      rolloverCap: config.rolloverCap,
      features: config.features,
    };
  });
