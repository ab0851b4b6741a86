import { relations } from "drizzle-orm";
import { deviceSessions, sessions, users } from "./accounts";
import { downloadResetRequests, downloads } from "./delivery";
import { creditTransactions, memberships } from "./memberships";
import { projectPhaseHistory, serviceAddOns, serviceProjects } from "./services";
import { digitalProductPurchases, digitalProducts, licenses } from "./store";

export const usersRelations = relations(users, ({ many, one }) => ({
  sessions: many(sessions),
  deviceSessions: many(deviceSessions),
  purchases: many(digitalProductPurchases),
  licenses: many(licenses),
  projects: many(serviceProjects),
  membership: one(memberships, { fields: [users.id], references: [memberships.userId] }),
}));

export const sessionsRelations = relations(sessions, ({ one }) => ({
  user: one(users, { fields: [sessions.userId], references: [users.id] }),
  deviceSession: one(deviceSessions, {
    fields: [sessions.deviceSessionId],
    references: [deviceSessions.id],
  }),
}));

export const deviceSessionsRelations = relations(deviceSessions, ({ one }) => ({
  user: one(users, { fields: [deviceSessions.userId], references: [users.id] }),
}));

export const digitalProductsRelations = relations(digitalProducts, ({ many }) => ({
  purchases: many(digitalProductPurchases),
  licenses: many(licenses),
}));

export const purchasesRelations = relations(digitalProductPurchases, ({ one }) => ({
  user: one(users, { fields: [digitalProductPurchases.userId], references: [users.id] }),
  product: one(digitalProducts, {
    fields: [digitalProductPurchases.productId],
    references: [digitalProducts.id],
  }),
  license: one(licenses, {
    fields: [digitalProductPurchases.id],
    references: [licenses.purchaseId],
  }),
}));

export const licensesRelations = relations(licenses, ({ one, many }) => ({
  user: one(users, { fields: [licenses.userId], references: [users.id] }),
  product: one(digitalProducts, { fields: [licenses.productId], references: [digitalProducts.id] }),
  purchase: one(digitalProductPurchases, {
    fields: [licenses.purchaseId],
    references: [digitalProductPurchases.id],
  }),
  downloads: many(downloads),
  resetRequests: many(downloadResetRequests),
}));

export const downloadsRelations = relations(downloads, ({ one }) => ({
  license: one(licenses, { fields: [downloads.licenseId], references: [licenses.id] }),
}));

export const resetRequestsRelations = relations(downloadResetRequests, ({ one }) => ({
  license: one(licenses, {
    fields: [downloadResetRequests.licenseId],
    references: [licenses.id],
  }),
}));

export const serviceProjectsRelations = relations(serviceProjects, ({ one, many }) => ({
  client: one(users, { fields: [serviceProjects.clientId], references: [users.id] }),
  phaseHistory: many(projectPhaseHistory),
  addOns: many(serviceAddOns),
}));

export const projectPhaseHistoryRelations = relations(projectPhaseHistory, ({ one }) => ({
  project: one(serviceProjects, {
    fields: [projectPhaseHistory.projectId],
    references: [serviceProjects.id],
  }),
}));

export const serviceAddOnsRelations = relations(serviceAddOns, ({ one }) => ({
  project: one(serviceProjects, {
    fields: [serviceAddOns.projectId],
    references: [serviceProjects.id],
  }),
}));

export const membershipsRelations = relations(memberships, ({ one, many }) => ({
  user: one(users, { fields: [memberships.userId], references: [users.id] }),
  transactions: many(creditTransactions),
}));

export const creditTransactionsRelations = relations(creditTransactions, ({ one }) => ({
  membership: one(memberships, {
    fields: [creditTransactions.membershipId],
    references: [memberships.id],
  }),
}));
