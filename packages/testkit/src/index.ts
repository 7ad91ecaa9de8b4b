// Public entry of @runnel/testkit.
export {};
