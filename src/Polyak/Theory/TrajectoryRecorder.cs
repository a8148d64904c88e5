using Polyak.Optimization;

namespace Polyak.Theory;

/// <summary>Records s_t and w_t (first d coordinates) for versions W..W+T, tracking w with the server's float arithmetic.</summary>
internal sealed class TrajectoryRecorder : IUpdateObserver
{
    private readonly float[] _w;
    private readonly int _d, _warm, _horizon;

    public TrajectoryRecorder(GatedQuadratic model, int warm, int horizon)
    {
        _d = model.Dimension;
        _w = new float[model.ParameterCount];
        model.Initialize(_w, 0);
        _warm = warm;
        _horizon = horizon;
        Steps = new double[(horizon + 1) * _d];
        Parameters = new double[(horizon + 1) * _d];
        if (warm == 0) Store(0, default);
    }

    public double[] Steps { get; }

    public double[] Parameters { get; }

    public void OnUpdate(in AppliedUpdate update)
    {
        long version = update.Version;
        var step = update.Step;
        for (int i = 0; i < _w.Length; i++) _w[i] += step[i];
        long j = version - _warm;
        if (j >= 0 && j <= _horizon) Store((int)j, step);
    }

    private void Store(int j, ReadOnlySpan<float> step)
    {
        for (int i = 0; i < _d; i++)
        {
            Steps[j * _d + i] = step.IsEmpty ? 0 : step[i];
            Parameters[j * _d + i] = _w[i];
        }
    }
}
