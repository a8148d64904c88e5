namespace Polyak.Data;

/// <summary>The file formats Polyak reads; <c>--format</c> names them, otherwise they are detected from the path.</summary>
public enum DataFormat
{
    /// <summary>IDX files (MNIST / Fashion-MNIST), a folder of them; raw or gzip.</summary>
    Idx,

    /// <summary>CIFAR-10 binary batches (1 label byte + 3072 pixel bytes per record).</summary>
    Cifar,

    /// <summary>LIBSVM / SVMlight sparse text with class labels.</summary>
    LibSvm,

    /// <summary>LIBSVM / SVMlight sparse text with real regression targets.</summary>
    LibSvmRegression,

    /// <summary>Comma-separated values with a class label column.</summary>
    Csv,

    /// <summary>Comma-separated values with a real target column.</summary>
    CsvRegression,
}
