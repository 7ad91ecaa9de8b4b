// Public entry of @runnel/metadata.
export {};
