from k8sprov.cli import main

main()
