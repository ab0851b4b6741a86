export * from "./memberships";
export * from "./products";
export * from "./projects";
export * from "./users";
