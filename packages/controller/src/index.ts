// Public entry of @runnel/controller.
export {};
