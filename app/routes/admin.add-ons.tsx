import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/page";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, SubmitButton } from "~/components/forms";
import { AddOnStatusBadge, addOnCost, PagePager } from "~/components/studio";
import { can } from "~/domain/auth/permissions";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { ADD_ONS, CUSTOM_PRICE_MAX, planAddOnMove } from "~/domain/projects/add-ons";
import { ADD_ON_STATUS_OPTIONS, PHASE_LABELS, PROJECT_LIMITS } from "~/domain/projects/labels";
import {
  AddOnQueueSearchSchema,
  AdminAddOnFormSchema,
  parseSearch,
} from "~/domain/projects/project-forms";
import type { FormReply } from "~/lib/form-reply";
import { adminAction } from "~/request/admin-action.server";
import { requirePermission } from "~/request/auth.server";
import { moveAddOn, priceAddOn } from "~/services/projects/add-ons.server";
import { addOnQueue } from "~/services/projects/queries.server";
import studioStyles from "~/styles/studio.css?url";
import { LocalTime } from "~/components/local-time";

const ROUTE_ID = "routes/admin.add-ons";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: studioStyles }];

export const meta: MetaFunction = () => [{ title: "Add-ons — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const staff = await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const search = parseSearch(AddOnQueueSearchSchema, new URL(request.url));
  const queue = await addOnQueue(context.db, search);
  const canAct = can(staff.role, "projects:manage");
  return {
    search,
    ...queue,
    items: queue.items.map((item) => ({
      ...item,
      // The moves this add-on can take now (the same rules the service applies).
      moves: canAct
        ? (["approve", "price", "start", "complete", "reject"] as const).filter(
            (move) =>
              planAddOnMove(
                {
                  type: item.type,
                  status: item.status,
                  creditCost: item.creditCost,
                  reserved: item.reserved,
                },
                move,
              ).ok,
          )
        : [],
    })),
  };
}

export async function action(args: ActionFunctionArgs) {
  return adminAction(args, {
    routeId: ROUTE_ID,
    schema: AdminAddOnFormSchema,
    async perform(form, staff) {
      const deps = { db: staff.db };
      if (form.intent === "price") {
        const result = await priceAddOn(deps, {
          ...staff,
          addOnId: form.addOnId,
          credits: form.credits,
          notes: form.notes,
        });
        return result.ok
          ? { ok: true, toast: `Priced at ${form.credits} credits; the client can confirm it.` }
          : result;
      }
      const result = await moveAddOn(deps, {
        ...staff,
        addOnId: form.addOnId,
        move: form.intent,
        notes: form.notes,
      });
      if (!result.ok) return result;
      const words = {
        approve: "Approved.",
        start: "Started.",
        complete: "Completed.",
        reject: "Rejected; the reserved credits are refunded.",
      } as const;
      return { ok: true, toast: [words[form.intent], result.effect].filter(Boolean).join(" ") };
    },
  });
}

// ---- Page -----------------------------------------------------------------------------------

type QueueItem = ReturnType<typeof useLoaderData<typeof loader>>["items"][number];

const MOVE_BUTTON = {
  approve: "Approve",
  start: "Start",
  complete: "Complete",
  reject: "Reject",
  price: "Set price",
} as const;

export default function AdminAddOns() {
  const { search, items, page, pages, total } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <div className="studio-page">
      <header>
        <h1>Add-ons</h1>
        <p className="muted">
          What clients asked for, pending first, oldest first. Rejecting refunds the reserved
          credits; completing has the add-on&apos;s effect on the project. {total} in all.
        </p>
      </header>

      <Form method="get" className="filters" role="search" aria-label="Filter add-ons">
        <div className="field">
          <label htmlFor="add-on-status">Status</label>
          <select id="add-on-status" name="status" defaultValue={search.status ?? ""}>
            <option value="">Any status</option>
            {ADD_ON_STATUS_OPTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          Filter
        </button>
      </Form>

      {items.length === 0 ? (
        <EmptyState title="No add-ons here">
          <p>Add-ons appear here when clients request them from their project page.</p>
        </EmptyState>
      ) : (
        <ul className="addon-list" data-testid="add-on-queue">
          {items.map((item) => (
            <QueueEntry key={item.id} item={item} reply={reply} />
          ))}
        </ul>
      )}
      <PagePager page={page} pages={pages} />
    </div>
  );
}

function QueueEntry({ item, reply }: { item: QueueItem; reply?: FormReply }) {
  const mine = reply?.values.addOnId === item.id ? reply : undefined;
  return (
    <li data-type={item.type} data-status={item.status}>
      <div className="addon-list__head">
        <strong>{ADD_ONS[item.type].name}</strong>
        <AddOnStatusBadge status={item.status} />
      </div>
      <p>
        <Link to={`/admin/projects/${item.projectId}`}>{item.projectTitle}</Link> (
        {PHASE_LABELS[item.projectPhase]}) · {item.clientName} ({item.clientEmail})
      </p>
      <p>
        {addOnCost(item)} · asked for <LocalTime value={item.createdAt} />
      </p>
      {item.description && <p>{item.description}</p>}
      {item.reviewNotes && <p className="muted">Notes: {item.reviewNotes}</p>}
      {mine?.formError && (
        <p className="form-error" role="alert">
          {mine.formError}
        </p>
      )}
      {item.moves.length > 0 && (
        <div className="addon-actions">
          {item.moves.map((move) => (
            <Form
              method="post"
              key={move}
              aria-label={`${MOVE_BUTTON[move]} ${ADD_ONS[item.type].name}`}
            >
              <input type="hidden" name="addOnId" value={item.id} />
              {move === "price" && (
                <Field
                  label="Credits"
                  name="credits"
                  type="number"
                  min={1}
                  max={CUSTOM_PRICE_MAX}
                  required
                  error={mine?.intent === "price" ? mine.fieldErrors.credits : undefined}
                />
              )}
              {(move === "reject" || move === "price") && (
                <Field
                  label={move === "reject" ? "Reason" : "Note (optional)"}
                  name="notes"
                  required={move === "reject"}
                  maxLength={PROJECT_LIMITS.notes}
                  error={mine?.intent === move ? mine.fieldErrors.notes : undefined}
                />
              )}
              <SubmitButton
                name="intent"
                value={move}
                pendingText="Saving…"
                className={move === "reject" ? "button button--danger" : "button"}
              >
                {MOVE_BUTTON[move]}
              </SubmitButton>
            </Form>
          ))}
        </div>
      )}
    </li>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
