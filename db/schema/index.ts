export * from "./enums";
export * from "./accounts";
export * from "./store";
export * from "./delivery";
export * from "./services";
export * from "./memberships";
export * from "./operations";
export * from "./relations";
