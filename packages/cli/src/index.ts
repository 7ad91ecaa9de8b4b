// Public entry of @runnel/cli.
export {};
