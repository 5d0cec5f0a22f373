namespace emu {}
