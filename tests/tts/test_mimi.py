import torch

from audiobook_tts.tts.mimi import CausalConvTranspose1d, PhaseConvTranspose1d


@torch.no_grad()
def test_phase_form_streams_the_same_audio_as_the_transposed_conv():
    """Pieces of uneven length through both forms, each with its own streaming state: the same outputs,
    ELU on the input and bias included, and the same number of samples per piece."""
    torch.manual_seed(0)
    transposed = CausalConvTranspose1d(6, 4, kernel=10, stride=5)
    transposed.state_key = "up"
    phase = PhaseConvTranspose1d(transposed)
    x = torch.randn(2, 17, 6)
    states = {"transposed": {"up": transposed.initial_state(2)}, "phase": {"up": phase.initial_state(2)}}
    for start, end in ((0, 1), (1, 8), (8, 17)):
        expected = transposed(x[:, start:end], states["transposed"], elu=True)
        got = phase(x[:, start:end], states["phase"], elu=True)
        assert got.shape == expected.shape == (2, (end - start) * 5, 4)
        assert (got - expected).abs().max() < 1e-6
