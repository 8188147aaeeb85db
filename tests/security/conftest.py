from tests.emulator.conftest import emu, make_emulator

__all__ = ["emu", "make_emulator"]
