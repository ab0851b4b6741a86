import { z } from "~/lib/zod";
import { LICENSE_TYPES } from "#db/schema/enums";

/**
 * The checkout forms. In their own module (imported only by actions) so the browser bundle
 * never pulls in zod.
 */

/** `POST /checkout/:slug` */
export const CheckoutFormSchema = z.object({
  licenseType: z.enum(LICENSE_TYPES, {
    error: "Choose a license type: personal, commercial or team.",
  }),
});

/** `POST /checkout/test/:purchaseId`: the test provider's two buttons. */
export const TestOutcomeFormSchema = z.object({
  outcome: z.enum(["succeed", "fail"], {
    error: "Choose whether the test payment succeeds or fails.",
  }),
});
