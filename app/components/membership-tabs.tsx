import { NavLinks, type NavItem } from "./nav-links";

const OVERVIEW: NavItem = { to: "/account/membership", label: "Plan", end: true };
const CREDITS: NavItem = { to: "/account/membership/credits", label: "Credit history" };
const TEAM: NavItem = { to: "/account/membership/team", label: "Team" };

/**
 * The owner's membership pages (issue 17 split them so each page carries only its own
 * JavaScript): the plan and billing, the ledger with its chart, and the team. An ended
 * membership has no team to manage.
 */
export function MembershipTabs({ team }: { team: boolean }) {
  return (
    <NavLinks
      items={team ? [OVERVIEW, CREDITS, TEAM] : [OVERVIEW, CREDITS]}
      label="Membership"
      className="page-tabs"
    />
  );
}
