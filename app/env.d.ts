/// <reference types="@remix-run/cloudflare" />

// The classic compiler turns `?url` imports of stylesheets into hashed asset URLs.
declare module "*.css?url" {
  const href: string;
  export default href;
}
